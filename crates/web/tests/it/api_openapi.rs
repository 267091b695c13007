//! Every API route of the route table is in `/api/openapi.json` with its method and an
//! example answer: a route added without documentation fails here (and a route added without
//! a row in the table fails `routes::every_route_has_a_row`).

use crate::common::{client, spawn_app};
use crate::routes::TABLE;

/// `/api/v1/plans/{plan}` and `/api/v1/plans/{id}` both as `/api/v1/plans/{}`.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut in_brace = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_brace = true;
                out.push_str("{}");
            }
            '}' => in_brace = false,
            _ if in_brace => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether an operation's success answer carries an example, inline or on its schema.
fn has_example(doc: &serde_json::Value, op: &serde_json::Value) -> bool {
    let Some(ok) = op["responses"]["200"]["content"].as_object() else {
        return false;
    };
    ok.values().any(|media| {
        if media.get("example").is_some() {
            return true;
        }
        let schema = &media["schema"];
        let reference = schema["$ref"]
            .as_str()
            .or_else(|| schema["items"]["$ref"].as_str());
        reference
            .and_then(|r| r.rsplit('/').next())
            .is_some_and(|name| doc["components"]["schemas"][name].get("example").is_some())
    })
}

#[tokio::test]
async fn every_api_route_is_documented_with_its_method_and_an_example() {
    let app = spawn_app().await;
    let doc: serde_json::Value = client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut walked = 0;
    let mut missing = Vec::new();
    let mut without_example = Vec::new();
    for (method, path, _) in TABLE {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        walked += 1;
        let want = shape(path);
        let op = paths
            .iter()
            .find(|(p, _)| shape(p) == want)
            .and_then(|(_, item)| item.get(method.to_lowercase()));
        match op {
            None => missing.push(format!("{method} {path}")),
            Some(op) if !has_example(&doc, op) => without_example.push(format!("{method} {path}")),
            Some(_) => {}
        }
    }
    assert!(walked > 40, "the table's API rows were walked ({walked})");
    assert!(
        missing.is_empty(),
        "routes not in the OpenAPI document: {missing:?}"
    );
    assert!(
        without_example.is_empty(),
        "documented without an example answer: {without_example:?}"
    );
}

#[test]
fn shapes_ignore_placeholder_names() {
    assert_eq!(
        shape("/api/v1/plans/{plan}/picture"),
        "/api/v1/plans/{}/picture"
    );
    assert_eq!(
        shape("/api/v1/plans/{id}/picture"),
        "/api/v1/plans/{}/picture"
    );
}
