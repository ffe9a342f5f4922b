use super::*;

fn doc(yaml: &str) -> OrgDocument {
    parse(yaml, "doc.yaml").unwrap()
}

#[test]
fn an_unknown_key_or_a_wrong_shape_names_where_it_is() {
    let e =
        parse("org: a\nmembers:\n  - email: x@y.org\n    role: analyst\n  - email: z@y.org\n    rol: x\n", "d.yaml")
            .unwrap_err();
    let Error::InvalidDocument { path, reason, .. } = &e else { panic!("{e:?}") };
    assert_eq!(path, "members[1].rol");
    assert!(reason.contains("unknown field `rol`"), "{reason}");
    let e = parse("org: a\nflags:\n  X: maybe\n", "d.yaml").unwrap_err();
    assert!(e.to_string().starts_with("d.yaml: flags.X: "), "{e}");
    assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
    assert!(parse("org: a\nwarehouses: {}\n", "d.yaml").unwrap_err().to_string().contains("unknown field"));
    // Credentials in clear are not a document's: only where they are.
    let inline = parse("org: a\nwarehouse:\n  type: postgres\n  config:\n    password: x\n", "d.yaml").unwrap_err();
    assert!(
        inline.to_string().contains("warehouse.config")
            && inline.to_string().contains("expected one of `secret`, `env`, `file`"),
        "{inline}"
    );
    let w = doc("org: a\nwarehouse: {type: postgres, config: {env: WH}}\n").warehouse.unwrap();
    assert_eq!(w.config, SecretRef::Env("WH".into()));
    assert!(
        to_yaml(&doc("org: a\nwarehouse: {type: postgres, config: {secret: s1}}\n")).unwrap().contains("secret: s1")
    );
}

#[test]
fn the_plan_lists_each_change_and_leaves_absent_sections_alone() {
    let now = doc("org: a\nname: A\nmembers: [{email: x@y.org, role: analyst}, {email: gone@y.org, role: analyst}]\n\
                       flags: {DATA_QUALITY: false}\n\
                       pipelines: [{name: daily, cron: '0 2 * * *', connections: [c1], transform: [dbt-run]}]\n");
    assert_eq!(plan(Some(&now), &now).changed(), 0);
    let want = doc("org: a\nmembers: [{email: X@y.org, role: account-manager}, {email: new@y.org, role: analyst}]\n\
                        flags: {DATA_QUALITY: true}\n\
                        pipelines: [{name: daily, cron: '0 3 * * *', connections: [c1]}]\n");
    let p = plan(Some(&now), &want);
    let changed: Vec<(ResourceKind, &str, Action)> = p
        .changes
        .iter()
        .filter(|c| c.action != Action::Unchanged)
        .map(|c| (c.kind, c.name.as_str(), c.action))
        .collect();
    assert_eq!(
        changed,
        [
            (ResourceKind::Member, "new@y.org", Action::Create),
            (ResourceKind::Member, "x@y.org", Action::Update),
            (ResourceKind::Member, "gone@y.org", Action::Delete),
            (ResourceKind::Flag, "DATA_QUALITY", Action::Update),
            (ResourceKind::Pipeline, "daily", Action::Update),
        ]
    );
    let daily = p.changes.iter().find(|c| c.name == "daily").unwrap();
    assert_eq!(daily.fields, [FieldChange { field: "cron".into(), from: json!("0 2 * * *"), to: json!("0 3 * * *") }]);
    let created = plan(None, &doc("org: b\nname: B\n"));
    assert_eq!((created.changes[0].action, created.changed()), (Action::Create, 1));
}

#[test]
fn sources_and_connections_are_planned_by_name_and_field() {
    let now = doc(
        "org: a\nairbyte:\n  sources:\n    - {name: kobo, definition: Postgres, config: {host: h, password: {secret: s1}}}\n\
                       \x20   - {name: old, definition: File}\n\
                       \x20 connections:\n    - {name: k, source: kobo, cron: null}\n",
    );
    assert_eq!(plan(Some(&now), &now).changed(), 0);
    let want = doc(
        "org: a\nairbyte:\n  sources:\n    - {name: kobo, definition: Postgres, config: {host: h2, password: {env: PW}}}\n\
                        \x20 connections:\n    - {name: k, source: kobo, cron: '0 0 4 * * ?'}\n",
    );
    let p = plan(Some(&now), &want);
    let kobo = p.changes.iter().find(|c| c.name == "kobo").unwrap();
    let fields: Vec<&str> = kobo.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["config.host", "config.password"]);
    assert_eq!(kobo.fields[1].to, json!({ "env": "PW" }), "a reference, never a value");
    let old = p.changes.iter().find(|c| c.name == "old").unwrap();
    assert_eq!((old.kind, old.action), (ResourceKind::Source, Action::Delete));
    let k = p.changes.iter().find(|c| c.kind == ResourceKind::Connection).unwrap();
    assert_eq!(k.fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["cron"]);
}

#[test]
fn a_config_value_is_a_reference_only_in_the_shapes_documents_give() {
    assert_eq!(FieldRef::of(&json!({ "env": "PW" })), Some(FieldRef::Given(SecretRef::Env("PW".into()))));
    assert_eq!(FieldRef::of(&json!({ "kept": "airbyte" })), Some(FieldRef::Kept));
    for plain in [json!("x"), json!({ "env": 1 }), json!({ "env": "A", "file": "B" }), json!({ "kept": "x" })] {
        assert_eq!(FieldRef::of(&plain), None, "{plain}");
    }
    for r in [FieldRef::Kept, FieldRef::Given(SecretRef::Secret("s".into()))] {
        assert_eq!(FieldRef::of(&r.to_value()), Some(r));
    }
}

#[test]
fn the_schema_is_the_documents() {
    let s = schema();
    assert_eq!(s["title"], "dalgo org document");
    assert_eq!(s["additionalProperties"], false);
    assert!(s["properties"]["members"].is_object() && s["required"] == json!(["org"]));
}
