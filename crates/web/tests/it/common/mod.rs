#![allow(dead_code)] // Each test file uses a different part of the harness.
//! Starts the real application on a random loopback port with a fresh database.

use qx_core::access::{Actor, Role};
use qx_core::password::hash_password;
use qx_store::Store;
use qx_store::testing::TestDb;
use qx_store::users::NewUser;
use std::sync::Arc;

pub const PASSWORD: &str = "Xiangshan#2017";

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub units: std::collections::HashMap<String, i64>,
    _db: TestDb,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(
        qx_web::Config::default(),
        qx_store::testing::sqlite().await.unwrap(),
    )
    .await
}

/// Serves `db` with the built-in registry and one account per role:
/// admin, leader, jxj1 (县经信局), sp1 (石浦镇), xz1 (西周镇).
pub async fn spawn_app_with(config: qx_web::Config, db: TestDb) -> TestApp {
    let store = db.store.clone();
    let units = qx_demo::registry::seed_registry(&store).await.unwrap();
    let units: std::collections::HashMap<String, i64> =
        units.into_iter().map(|u| (u.name, u.id)).collect();
    let hash = hash_password(PASSWORD).unwrap();
    let system = Actor::system();
    for (username, role, unit) in [
        ("admin", Role::Admin, "县工业强县办"),
        ("leader", Role::Leader, "县工业强县办"),
        ("jxj1", Role::Unit, "县经信局"),
        ("sp1", Role::Unit, "石浦镇"),
        ("xz1", Role::Unit, "西周镇"),
    ] {
        let user = NewUser {
            username: username.into(),
            display_name: format!("{username}-name"),
            role,
            unit_id: Some(units[unit]),
            enterprise_id: None,
            phone: String::new(),
            password_hash: hash.clone(),
        };
        store.create_user(&system, &user).await.unwrap();
    }
    let base = serve(&store, config).await;
    TestApp {
        base,
        store,
        units,
        _db: db,
    }
}

/// Serves `store` on a random loopback port; its base URL.
pub async fn serve(store: &Store, config: qx_web::Config) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = qx_web::AppState {
        store: store.clone(),
        config: Arc::new(config),
        picture_cache: Default::default(),
        rendered_dashboards: Default::default(),
        jobs: Default::default(),
    };
    tokio::spawn(qx_web::serve(state, listener));
    base
}

/// The demo county (seed 2017, every account with [`PASSWORD`]) served on SQLite: its base
/// URL and the database, kept alive by the caller.
pub async fn spawn_demo() -> (String, TestDb) {
    let db = qx_store::testing::sqlite().await.unwrap();
    qx_demo::seed(
        &db.store,
        &qx_demo::DemoOptions {
            seed: 2017,
            password: Some(PASSWORD.to_string()),
        },
    )
    .await
    .unwrap();
    let base = serve(&db.store, qx_web::Config::default()).await;
    (base, db)
}

/// Signs in at `base/login` as a person would: the form's CSRF token, then the post.
pub async fn login_at(
    c: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> reqwest::Response {
    let token = csrf(c, &format!("{base}/login")).await;
    c.post(format!("{base}/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", username),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap()
}

/// A client signed in at `base` as `username` (with [`PASSWORD`]).
pub async fn sign_in(base: &str, username: &str) -> reqwest::Client {
    let c = client();
    let resp = login_at(&c, base, username, PASSWORD).await;
    assert_eq!(resp.status(), 303, "sign in as {username}");
    c
}

/// A `multipart/form-data` body of text fields and, optionally, one PDF in `files`, as a
/// browser sends it: (content type, body).
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "qxBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, data)) = file {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n")
                .as_bytes(),
        );
        body.extend(data);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts `fields` and a file (the browser's multipart form) to `url`.
pub async fn post_multipart(
    c: &reqwest::Client,
    url: impl reqwest::IntoUrl,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> reqwest::Response {
    let (ct, body) = multipart(fields, file);
    c.post(url)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Posts `fields` as an HTML form would; the response is left for the test to judge.
pub async fn post_form<T: serde::Serialize + ?Sized>(
    c: &reqwest::Client,
    url: impl reqwest::IntoUrl,
    fields: &T,
) -> reqwest::Response {
    c.post(url).form(fields).send().await.unwrap()
}

/// The body of a GET, whatever its status.
pub async fn text(c: &reqwest::Client, url: impl reqwest::IntoUrl) -> String {
    c.get(url).send().await.unwrap().text().await.unwrap()
}

/// The status of a GET, for the checks that a page is there or is refused.
pub async fn get_status(c: &reqwest::Client, url: impl reqwest::IntoUrl) -> reqwest::StatusCode {
    c.get(url).send().await.unwrap().status()
}

/// The id a redirect leads to: `/problems/12?created=1` with prefix `/problems/` is 12.
pub fn redirect_id(resp: &reqwest::Response, prefix: &str) -> i64 {
    let loc = resp.headers()["location"].to_str().unwrap();
    loc.strip_prefix(prefix)
        .and_then(|rest| rest.split('?').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{loc} is not {prefix}<id>"))
}

/// The CSRF token from the first form on a page.
pub async fn csrf(c: &reqwest::Client, url: &str) -> String {
    let body = c.get(url).send().await.unwrap().text().await.unwrap();
    let marker = "name=\"_csrf\" value=\"";
    let start = body
        .find(marker)
        .unwrap_or_else(|| panic!("no CSRF field on {url}"))
        + marker.len();
    body[start..].split('"').next().unwrap().to_string()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn login_response(
        &self,
        c: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        login_at(c, &self.base, username, password).await
    }

    /// A signed-in client.
    pub async fn login(&self, username: &str) -> reqwest::Client {
        sign_in(&self.base, username).await
    }

    /// The store-level actor of an account, for setting things up without the browser.
    pub async fn actor(&self, username: &str) -> Actor {
        self.store
            .find_user_by_username(username)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no account {username}"))
            .actor()
    }

    /// The seed plan (象山县 2017) imported and published by the office's `admin`; its id.
    /// Publishing makes the cultivation counts (新增规模以上企业 …) fill from the 企业培育库; this
    /// county keeps none, so the office switches them back to the units' figures.
    pub async fn publish_seed_plan(&self) -> i64 {
        let admin = self.actor("admin").await;
        let plan = qx_app::plan_import::import_document(
            &self.store,
            &admin,
            qx_demo::plan::SEED_PLAN.as_bytes(),
            "p.txt",
        )
        .await
        .unwrap()
        .plan_id;
        self.store.publish_plan(&admin, plan).await.unwrap();
        for (id, source) in self.store.indicator_sources(plan).await.unwrap() {
            if source.cultivation_milestone().is_some() {
                self.store
                    .set_indicator_source(
                        &admin,
                        id,
                        qx_store::indicator_source::IndicatorSource::Manual,
                    )
                    .await
                    .unwrap();
            }
        }
        plan
    }

    pub async fn user_id(&self, username: &str) -> i64 {
        self.store
            .find_user_by_username(username)
            .await
            .unwrap()
            .unwrap()
            .id
    }
}
