//! The verifier's findings: one line per check, naming the artifact; exit status and --json
//! for configuration-management tools.

use serde::Serialize;
use std::process::ExitCode;

#[derive(Serialize, Clone, Debug)]
pub struct Line {
    pub status: &'static str,
    pub subject: String,
    pub message: String,
}

#[derive(Default, Debug)]
pub struct Report {
    pub lines: Vec<Line>,
    pub notes: Vec<String>,
}

impl Report {
    fn push(&mut self, status: &'static str, subject: &str, message: impl Into<String>) {
        self.lines.push(Line {
            status,
            subject: subject.to_string(),
            message: message.into(),
        });
    }
    pub fn ok(&mut self, subject: &str, message: impl Into<String>) {
        self.push("ok", subject, message);
    }
    pub fn fail(&mut self, subject: &str, message: impl Into<String>) {
        self.push("fail", subject, message);
    }
    pub fn warn(&mut self, subject: &str, message: impl Into<String>) {
        self.push("warn", subject, message);
    }
    pub fn note(&mut self, n: String) {
        self.notes.push(n);
    }
    pub fn failures(&self) -> usize {
        self.lines.iter().filter(|l| l.status == "fail").count()
    }
    pub fn passed(&self) -> bool {
        self.failures() == 0
    }

    /// Prints the report (lines or one JSON object) and returns the exit code.
    pub fn print(&self, json: bool, what: &str, prog: &str) -> ExitCode {
        let checks = self.lines.iter().filter(|l| l.status != "warn").count();
        if json {
            let v = serde_json::json!({
                "ok": self.passed(),
                "subject": what,
                "checks": checks,
                "failures": self.failures(),
                "notes": self.notes,
                "results": self.lines,
            });
            println!("{}", serde_json::to_string_pretty(&v).expect("JSON"));
        } else {
            println!("== {what}");
            for n in &self.notes {
                println!("   {n}");
            }
            for l in &self.lines {
                let tag = match l.status {
                    "ok" => "ok:  ",
                    "fail" => "FAIL:",
                    _ => "WARN:",
                };
                println!("{tag} {}: {}", l.subject, l.message);
            }
            println!();
            if self.passed() {
                println!("{prog}: OK: all {checks} checks passed for {what}");
            } else {
                println!(
                    "{prog}: FAILED: {} of {checks} checks failed for {what}",
                    self.failures()
                );
            }
        }
        if self.passed() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}
