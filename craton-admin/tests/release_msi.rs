//! The MSI reader on a small MSI made here with the `msi` and `cab` crates (no Windows DLL can
//! be built on this machine): `release-contents` lists each installed file with its path and the
//! SHA-256 of its bytes in the embedded cabinet, and every custom action as a script.

mod release;

use msi::{Column, Insert, Package, PackageType, Value};
use release::{ADMIN, sha256};
use std::io::{Cursor, Write};
use std::process::Command;

fn cabinet(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = cab::CabinetBuilder::new();
    {
        let folder = b.add_folder(cab::CompressionType::MsZip);
        for (name, _) in files {
            folder.add_file(*name);
        }
    }
    let mut w = b.build(Cursor::new(Vec::new())).unwrap();
    let mut i = 0;
    while let Some(mut fw) = w.next_file().unwrap() {
        fw.write_all(files[i].1).unwrap();
        i += 1;
    }
    w.finish().unwrap().into_inner()
}

fn msi(custom_action: bool, dll: &[u8]) -> Vec<u8> {
    let mut p = Package::create(PackageType::Installer, Cursor::new(Vec::new())).unwrap();
    p.summary_info_mut().set_arch("x64");
    p.create_table(
        "Property",
        vec![
            Column::build("Property").primary_key().id_string(72),
            Column::build("Value").string(0),
        ],
    )
    .unwrap();
    p.insert_rows(Insert::into("Property").rows(vec![
        vec![Value::from("ProductName"), Value::from("Craton HSM")],
        vec![Value::from("ProductVersion"), Value::from("0.1.0")],
    ]))
    .unwrap();
    p.create_table(
        "Directory",
        vec![
            Column::build("Directory").primary_key().id_string(72),
            Column::build("Directory_Parent").nullable().id_string(72),
            Column::build("DefaultDir").string(255),
        ],
    )
    .unwrap();
    p.insert_rows(Insert::into("Directory").rows(vec![
        vec![
            Value::from("TARGETDIR"),
            Value::Null,
            Value::from("SourceDir"),
        ],
        vec![
            Value::from("ProgramFiles64Folder"),
            Value::from("TARGETDIR"),
            Value::from("."),
        ],
        vec![
            Value::from("INSTALLDIR"),
            Value::from("ProgramFiles64Folder"),
            Value::from("Craton HSM"),
        ],
    ]))
    .unwrap();
    p.create_table(
        "Component",
        vec![
            Column::build("Component").primary_key().id_string(72),
            Column::build("Directory_").id_string(72),
        ],
    )
    .unwrap();
    p.insert_rows(
        Insert::into("Component").row(vec![Value::from("Module"), Value::from("INSTALLDIR")]),
    )
    .unwrap();
    p.create_table(
        "File",
        vec![
            Column::build("File").primary_key().id_string(72),
            Column::build("Component_").id_string(72),
            Column::build("FileName").string(255),
            Column::build("Sequence").int16(),
        ],
    )
    .unwrap();
    p.insert_rows(Insert::into("File").row(vec![
        Value::from("craton_hsm.dll"),
        Value::from("Module"),
        Value::from("craton~1.dll|craton_hsm.dll"),
        Value::Int(1),
    ]))
    .unwrap();
    p.create_table(
        "Media",
        vec![
            Column::build("DiskId").primary_key().int16(),
            Column::build("Cabinet").nullable().string(255),
        ],
    )
    .unwrap();
    p.insert_rows(Insert::into("Media").row(vec![Value::Int(1), Value::from("#craton.cab")]))
        .unwrap();
    p.write_stream("craton.cab")
        .unwrap()
        .write_all(&cabinet(&[("craton_hsm.dll", dll)]))
        .unwrap();
    if custom_action {
        p.create_table(
            "CustomAction",
            vec![
                Column::build("Action").primary_key().id_string(72),
                Column::build("Type").int16(),
                Column::build("Source").nullable().string(72),
                Column::build("Target").nullable().string(255),
            ],
        )
        .unwrap();
        p.insert_rows(Insert::into("CustomAction").row(vec![
            Value::from("Backdoor"),
            Value::Int(34),
            Value::from("INSTALLDIR"),
            Value::from("cmd.exe /c evil"),
        ]))
        .unwrap();
    }
    p.flush().unwrap();
    p.into_inner().unwrap().into_inner()
}

fn contents(bytes: &[u8]) -> serde_json::Value {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("craton-hsm-0.1.0-x64.msi");
    std::fs::write(&f, bytes).unwrap();
    let o = Command::new(ADMIN)
        .arg("release-contents")
        .arg(&f)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()[0].clone()
}

#[test]
fn msi_contents() {
    let dll = b"MZ stand-in bytes of a DLL";
    let c = contents(&msi(false, dll));
    assert_eq!(c["format"], "msi");
    assert_eq!(c["name"], "Craton HSM");
    assert_eq!(c["version"], "0.1.0");
    let files = c["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{c}");
    assert_eq!(
        files[0]["path"],
        "ProgramFiles64Folder/Craton HSM/craton_hsm.dll"
    );
    assert_eq!(files[0]["sha256"], sha256(dll).as_str());
    assert!(c["scripts"].as_object().unwrap().is_empty(), "{c}");

    // Another DLL inside the same MSI: another hash. A custom action: a script.
    let c2 = contents(&msi(true, b"MZ other bytes"));
    assert_ne!(c2["files"][0]["sha256"], c["files"][0]["sha256"]);
    assert!(
        c2["scripts"]
            .as_object()
            .unwrap()
            .contains_key("CustomAction:Backdoor"),
        "{c2}"
    );
}
