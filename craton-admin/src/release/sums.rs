//! SHA256SUMS as `sha256sum` writes it, read strictly: "<64 lowercase hex>  <file name>" per
//! line, each name a plain file of the release directory, listed once.

/// (name, sha256) pairs, or every problem found.
pub fn parse(text: &[u8]) -> Result<Vec<(String, String)>, Vec<String>> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut errs = Vec::new();
    let Ok(text) = std::str::from_utf8(text) else {
        return Err(vec!["is not UTF-8".into()]);
    };
    if !text.is_empty() && !text.ends_with('\n') {
        errs.push("does not end with a newline".into());
    }
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let Some((hash, name)) = line.split_once("  ") else {
            errs.push(format!("line {n}: malformed: {line:?}"));
            continue;
        };
        if hash.len() != 64 || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            errs.push(format!("line {n}: not a SHA-256: {hash:?}"));
            continue;
        }
        if name.is_empty()
            || name.contains('/')
            || name.contains('\\')
            || name == "."
            || name == ".."
            || name.starts_with('.')
            || name.chars().any(char::is_control)
        {
            errs.push(format!(
                "line {n}: {name:?} is not a plain file name of the release directory (path traversal or hidden file)"
            ));
            continue;
        }
        if out.iter().any(|(x, _)| x == name) {
            errs.push(format!("line {n}: {name} is listed twice"));
            continue;
        }
        out.push((name.to_string(), hash.to_string()));
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

#[cfg(test)]
mod tests {
    use super::parse;
    const H: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    #[test]
    fn strict() {
        assert!(parse(format!("{H}  a.deb\n").as_bytes()).is_ok());
        for bad in [
            format!("{H}  a.deb\n{H}  a.deb\n"),
            format!("{H}  ../etc/passwd\n"),
            format!("{H}  sub/a.deb\n"),
            format!("{H} *a.deb\n"),
            format!("{}  a.deb\n", &H[1..]),
            format!("{H}  .hidden\n"),
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
