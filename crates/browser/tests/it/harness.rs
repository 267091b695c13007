//! The browser harness: finds Chromium and chromedriver, starts chromedriver on a free port,
//! serves the application in-process on a fresh database, and drives one headless Chromium
//! session per journey over WebDriver.
//!
//! Without Chromium or chromedriver a journey is skipped with a printed note, so `cargo test`
//! still runs on a laptop without them; with `QX_BROWSER_TESTS=1` (CI) it fails instead.

use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use qx_core::access::{Actor, Role};
use qx_store::Store;
use qx_store::enterprises::{NewEnterprise, insert_enterprise};
use qx_store::testing::TestDb;
use qx_store::users::NewUser;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "Xiangshan#2017";

/// The day the journeys live on (the demo clock): the county's 2017 plan is under way and
/// June's reports are due in two days, as in the office's real year.
const TODAY: &str = "2017-07-05";

/// How long a page may take to show what a journey waits for.
const PATIENCE: Duration = Duration::from_secs(15);

/// The two programs the suite needs.
struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

/// `name` on `PATH`, or the path an environment variable names.
fn program(var: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(var) {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// The tools, or `None` (with a note) when they are missing and the suite is optional.
fn tools() -> Option<Tools> {
    let chromium = program(
        "QX_CHROMIUM",
        &["chromium", "chromium-browser", "google-chrome"],
    );
    let chromedriver = program("QX_CHROMEDRIVER", &["chromedriver"]);
    match (chromium, chromedriver) {
        (Some(chromium), Some(chromedriver)) => Some(Tools {
            chromium,
            chromedriver,
        }),
        (chromium, chromedriver) => {
            let missing: Vec<&str> = [("chromium", chromium), ("chromedriver", chromedriver)]
                .into_iter()
                .filter(|(_, p)| p.is_none())
                .map(|(n, _)| n)
                .collect();
            let message = format!(
                "browser suite: {} not found on PATH (or QX_CHROMIUM / QX_CHROMEDRIVER); \
                 install with `apt-get install chromium chromium-driver`",
                missing.join(" and ")
            );
            if std::env::var("QX_BROWSER_TESTS").is_ok_and(|v| v == "1") {
                panic!("{message} (QX_BROWSER_TESTS=1 requires the browser suite)");
            }
            eprintln!("skipped: {message}; set QX_BROWSER_TESTS=1 to make this a failure");
            None
        }
    }
}

/// chromedriver, in a process group of its own so that the browser it starts goes with it
/// even when a journey panics before closing its session.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(tools: &Tools) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let child = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", tools.chromedriver.display()));
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < PATIENCE,
                "chromedriver did not listen on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and any Chromium it left behind.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The application on a fresh SQLite database with the built-in registry and one account per
/// role: admin (office), leader, jxj1 (县经信局), sp1 (石浦镇), xz1 (西周镇) and qy1, the
/// contact of 象山海天船舶 in 石浦镇.
pub struct App {
    pub base: String,
    pub store: Store,
    pub units: HashMap<String, i64>,
    _db: TestDb,
}

impl App {
    async fn spawn(config: qx_web::Config) -> App {
        let today = qx_core::time::parse_date(TODAY).expect("TODAY is a date");
        qx_core::time::set_today(today).expect("every journey lives on the same day");
        let db = qx_store::testing::sqlite().await.unwrap();
        let store = db.store.clone();
        let units: HashMap<String, i64> = qx_demo::registry::seed_registry(&store)
            .await
            .unwrap()
            .into_iter()
            .map(|u| (u.name, u.id))
            .collect();
        qx_demo::registry::seed_calendar(&store).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let enterprise = insert_enterprise(
            &mut tx,
            &NewEnterprise {
                credit_code: "913302257995213595".into(),
                name: "象山海天船舶".into(),
                town_id: Some(units["石浦镇"]),
                industry_code: None,
                scale: qx_core::scale::Scale::Above,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let hash = qx_core::password::hash_password(PASSWORD).unwrap();
        for (username, name, role, unit) in [
            ("admin", "王主任", Role::Admin, Some("县工业强县办")),
            ("leader", "李县长", Role::Leader, Some("县工业强县办")),
            ("jxj1", "陈联络员", Role::Unit, Some("县经信局")),
            ("sp1", "张联络员", Role::Unit, Some("石浦镇")),
            ("xz1", "周联络员", Role::Unit, Some("西周镇")),
            ("qy1", "海天王经理", Role::Enterprise, None),
        ] {
            let user = NewUser {
                username: username.into(),
                display_name: name.into(),
                role,
                unit_id: unit.map(|u| units[u]),
                enterprise_id: (role == Role::Enterprise).then_some(enterprise),
                phone: String::new(),
                password_hash: hash.clone(),
            };
            store.create_user(&Actor::system(), &user).await.unwrap();
        }
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
        App {
            base,
            store,
            units,
            _db: db,
        }
    }

    /// The store-level actor of an account, for what a journey sets up without the browser.
    pub async fn actor(&self, username: &str) -> Actor {
        self.store
            .find_user_by_username(username)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no account {username}"))
            .actor()
    }

    /// The seed plan (象山县 2017) imported by the office, a draft to review; its id.
    pub async fn import_seed_plan(&self) -> i64 {
        let admin = self.actor("admin").await;
        qx_app::plan_import::import_document(
            &self.store,
            &admin,
            qx_demo::plan::SEED_PLAN.as_bytes(),
            qx_demo::plan::SEED_PLAN_FILE,
        )
        .await
        .unwrap()
        .plan_id
    }

    /// The seed plan (象山县 2017) imported and published by the office; its id.
    /// Publishing makes the cultivation counts (新增规模以上企业 …) fill from the 企业培育库; this
    /// county keeps none, so the office switches them back to the units' figures.
    pub async fn publish_seed_plan(&self) -> i64 {
        let admin = self.actor("admin").await;
        let plan = self.import_seed_plan().await;
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

    /// The office opens 2017-06 for reporting (due 2017-07-07); the period's id.
    pub async fn open_june(&self, plan: i64) -> i64 {
        let june = qx_core::period::Period::new_month(2017, 6).unwrap();
        self.store
            .open_period(&self.actor("admin").await, plan, &june, "2017-07-07")
            .await
            .unwrap()
    }

    /// The published seed plan with 2017-06 open and 县经信局's report of 15 新增规模以上企业
    /// submitted: (period id, submission id).
    pub async fn june_submitted(&self) -> (i64, i64) {
        let plan = self.publish_seed_plan().await;
        let period = self.open_june(plan).await;
        let jxj = self.actor("jxj1").await;
        let unit = self.units["县经信局"];
        let scale = self
            .store
            .unit_indicators(&qx_core::access::Actor::system(), plan, unit)
            .await
            .unwrap()
            .into_iter()
            .find(|i| i.name == "新增规模以上企业")
            .expect("县经信局 reports 新增规模以上企业");
        let input = qx_store::monitoring::SubmissionInput {
            values: vec![(scale.id, "15".into(), String::new())],
            tasks: vec![],
        };
        let submission = self
            .store
            .save_submission(&jxj, period, unit, &input, true)
            .await
            .unwrap();
        (period, submission)
    }
}

/// Chromedriver's log endpoint: what the page wrote to its console, errors included.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

/// One journey: the application, chromedriver and a headless Chromium with a fresh profile.
pub struct Journey {
    pub app: App,
    pub client: Client,
    /// Where the browser saves downloads.
    pub downloads: tempfile::TempDir,
    /// Files the journey uploads.
    pub files: tempfile::TempDir,
    _profile: tempfile::TempDir,
    _driver: Driver,
}

impl Journey {
    /// A journey, or `None` when the browser suite is skipped on this machine.
    pub async fn start() -> Option<Journey> {
        Journey::start_with(qx_web::Config::default()).await
    }

    /// A journey whose application runs with `config` (e.g. a shorter job wait).
    pub async fn start_with(config: qx_web::Config) -> Option<Journey> {
        let tools = tools()?;
        let app = App::spawn(config).await;
        let driver = Driver::start(&tools);
        let profile = tempfile::tempdir().unwrap();
        let downloads = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:loggingPrefs".into(), json!({"browser": "ALL"}));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": tools.chromium,
                // Without the background-networking flags Chromium calls out to the closed
                // network (updates, safe browsing, sync) over and over.
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--window-size=1366,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {
                    "download.default_directory": downloads.path(),
                    "download.prompt_for_download": false,
                },
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .unwrap_or_else(|e| panic!("cannot open a Chromium session through chromedriver: {e}"));
        Some(Journey {
            app,
            client,
            downloads,
            files: tempfile::tempdir().unwrap(),
            _profile: profile,
            _driver: driver,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.app.base)
    }

    pub async fn goto(&self, path: &str) {
        self.client.goto(&self.url(path)).await.unwrap();
    }

    /// The path (and query) of the page the browser shows.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// What the person sees: the page's rendered text.
    pub async fn text(&self) -> String {
        self.client
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Waits until the page shows `words`; fails naming the page and what it showed instead.
    pub async fn sees(&self, words: &str) {
        let started = Instant::now();
        loop {
            let text = match self.client.find(Locator::Css("body")).await {
                Ok(body) => body.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(words) {
                return;
            }
            if started.elapsed() > PATIENCE {
                panic!(
                    "{} does not show {words:?}; it shows:\n{text}",
                    self.path().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn find(&self, css: &str) -> Element {
        self.wait_for(Locator::Css(css)).await
    }

    async fn wait_for(&self, locator: Locator<'_>) -> Element {
        match self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(locator)
            .await
        {
            Ok(element) => element,
            Err(e) => panic!("no {locator:?} on {}: {e}", self.path().await),
        }
    }

    /// The form field named `name_prefix…` in the table row that shows `row_words` (the
    /// report form's rows are labelled by the indicator's name, their fields by its id).
    pub async fn field_in_row(&self, row_words: &str, name_prefix: &str) -> Element {
        let xpath = format!(
            "//tr[td[contains(normalize-space(), '{row_words}')]]//*[starts-with(@name, '{name_prefix}')]"
        );
        self.wait_for(Locator::XPath(&xpath)).await
    }

    /// The `class` of the table row that shows `row_words` (the dashboard colours rows by light).
    pub async fn row_class(&self, row_words: &str) -> String {
        let xpath = format!("//tr[td[normalize-space() = '{row_words}']]");
        let row = self.wait_for(Locator::XPath(&xpath)).await;
        row.attr("class").await.unwrap().unwrap_or_default()
    }

    /// Types `value` into the field `css`, replacing what was there.
    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    /// Chooses the option whose visible text is `label` in the drop-down `css`.
    pub async fn choose(&self, css: &str, label: &str) {
        self.find(css).await.select_by_label(label).await.unwrap();
    }

    /// Clicks `css`, accepting a confirmation dialog if the page asks for one.
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
        if self.client.get_alert_text().await.is_ok() {
            self.client.accept_alert().await.unwrap();
        }
    }

    /// Clicks the button whose visible text is `label`, inside the form matched by `form`.
    pub async fn press(&self, form: &str, label: &str) {
        let form_el = self.find(form).await;
        let buttons = form_el.find_all(Locator::Css("button")).await.unwrap();
        for b in buttons {
            if b.text().await.unwrap().trim() == label {
                b.click().await.unwrap();
                if self.client.get_alert_text().await.is_ok() {
                    self.client.accept_alert().await.unwrap();
                }
                return;
            }
        }
        panic!("no button {label:?} in {form} on {}", self.path().await);
    }

    /// Writes `bytes` as `name` in the journey's folder and chooses it in the file field `css`.
    pub async fn attach(&self, css: &str, name: &str, bytes: &[u8]) {
        let path = self.files.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        self.find(css)
            .await
            .send_keys(&path.display().to_string())
            .await
            .unwrap();
    }

    /// Signs in through the login form as `username` (signing out whoever was in).
    pub async fn login(&self, username: &str) {
        self.client.delete_all_cookies().await.unwrap();
        self.goto("/login").await;
        self.fill("input[name=username]", username).await;
        self.fill("input[name=password]", PASSWORD).await;
        self.click("form[action='/login'] button").await;
        let started = Instant::now();
        while self.path().await.starts_with("/login") {
            assert!(
                started.elapsed() < PATIENCE,
                "{username} could not sign in: {}",
                self.text().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What the pages wrote to the console as errors since the last look (and clears it).
    pub async fn console_errors(&self) -> Vec<Value> {
        let log = self.client.issue_cmd(BrowserLog).await.unwrap();
        log.as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Fails if any page since the last call wrote an error to the console (script errors,
    /// refused resources, failed loads).
    pub async fn no_console_errors(&self) {
        let errors = self.console_errors().await;
        assert!(
            errors.is_empty(),
            "console errors on {}: {errors:#?}",
            self.path().await
        );
    }

    /// Like [`Journey::no_console_errors`] after a form the server refused on purpose: a form
    /// shown again with its errors answers 400 (`qx_web::form::invalid`), which Chromium logs
    /// as a failed load. That entry, and only that, is allowed.
    pub async fn no_console_errors_but_a_refused_form(&self) {
        let log = self.client.issue_cmd(BrowserLog).await.unwrap();
        let errors: Vec<&Value> = log
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .filter(|e| {
                        !(e["source"] == "network"
                            && e["message"]
                                .as_str()
                                .is_some_and(|m| m.contains("status of 400")))
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            errors.is_empty(),
            "console errors on {}: {errors:#?}",
            self.path().await
        );
    }

    /// Waits for a finished download named by `accept` in the download folder; its bytes.
    ///
    /// Finished means no `.crdownload` is left in the folder and the file has bytes: Chromium
    /// reserves the final name with an empty file while it still writes the `.crdownload`
    /// beside it, so the name alone appears before the download ends.
    pub async fn downloaded(&self, accept: impl Fn(&str) -> bool) -> (String, Vec<u8>) {
        let started = Instant::now();
        loop {
            let entries: Vec<_> = std::fs::read_dir(self.downloads.path())
                .unwrap()
                .flatten()
                .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
                .collect();
            if !entries
                .iter()
                .any(|(name, _)| name.ends_with(".crdownload"))
            {
                for (name, path) in entries {
                    if accept(&name) {
                        let bytes = std::fs::read(path).unwrap();
                        if !bytes.is_empty() {
                            return (name, bytes);
                        }
                    }
                }
            }
            assert!(
                started.elapsed() < PATIENCE,
                "no download in {}",
                self.downloads.path().display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits for the dialog the page opened (a `data-confirm` question); its text, the dialog
    /// left open for the test to accept or dismiss.
    pub async fn dialog(&self) -> String {
        let started = Instant::now();
        loop {
            if let Ok(text) = self.client.get_alert_text().await {
                return text;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "no dialog on {}",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Records, for the next page, whether leaving this one asked the person to stay. WebDriver
    /// accepts a "leave this page?" prompt unseen (the standard says so), so the journey reads
    /// the page's answer instead: a listener added after the application's sees whether it asked.
    pub async fn watch_leaving(&self) {
        self.client
            .execute(
                "sessionStorage.removeItem('asked');
                 window.addEventListener('beforeunload', function (e) {
                   sessionStorage.setItem('asked', String(e.defaultPrevented));
                 });",
                vec![],
            )
            .await
            .unwrap();
    }

    /// Whether leaving the previous page (watched by [`Journey::watch_leaving`]) asked the
    /// person to stay.
    pub async fn leaving_asked(&self) -> bool {
        let asked = self
            .client
            .execute("return sessionStorage.getItem('asked');", vec![])
            .await
            .unwrap();
        match asked.as_str() {
            Some("true") => true,
            Some("false") => false,
            other => panic!("the page did not record leaving: {other:?}"),
        }
    }

    /// Ends the browser session (the driver and the application stop when the journey drops).
    pub async fn finish(self) {
        self.no_console_errors().await;
        let Journey { client, .. } = self;
        client.close().await.unwrap();
    }
}

/// A minimal PDF file as evidence: the upload check reads the signature, not the name.
pub fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec()
}
