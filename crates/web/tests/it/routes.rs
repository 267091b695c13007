//! The whole route table walked as each role: who gets the page (200), who is refused (403),
//! who reads "not found" for what is out of scope (404), who is sent to sign in (303/401).
//! A guard removed from any handler changes a cell of [`TABLE`]; a route added without a row
//! fails [`every_route_has_a_row`].

use crate::common::{self, client, csrf, spawn_demo};
use std::collections::{BTreeSet, HashMap};

/// Who walks the table, in the order of each row's expectations.
const WHO: [&str; 5] = ["admin", "leader", "jxj1", "qy01", "anonymous"];

/// (method, path, expected status for admin, leader, unit (县经信局), enterprise, anonymous).
/// `{name}` stands for an id found in the demo county as the office sees it (`{user}` is the
/// second office account); `{none}` for an id that names nothing; `{year}`, `{format}`, `{kind}`
/// for 2017, docx and the registry template. POSTs carry the CSRF token and an empty form: the point is the guard,
/// which answers before the form is read.
pub(crate) const TABLE: &[(&str, &str, [u16; 5])] = &[
    ("GET", "/", [200, 200, 200, 200, 303]),
    ("GET", "/login", [303, 303, 303, 303, 200]),
    ("POST", "/login", [422, 422, 422, 422, 403]),
    ("POST", "/lang", [422, 422, 422, 422, 403]),
    ("GET", "/account", [200, 200, 200, 200, 303]),
    ("POST", "/account", [400, 400, 400, 400, 403]),
    ("GET", "/units", [200, 200, 200, 200, 303]),
    ("POST", "/units", [400, 403, 403, 403, 403]),
    ("GET", "/units/new", [200, 403, 403, 403, 303]),
    ("GET", "/units/{unit}", [200, 200, 200, 200, 303]),
    ("POST", "/units/{unit}", [400, 403, 403, 403, 403]),
    ("POST", "/units/{unit}/contact", [422, 422, 422, 422, 403]),
    ("GET", "/users", [200, 200, 200, 403, 303]),
    ("POST", "/users", [400, 403, 403, 403, 403]),
    ("GET", "/users/new", [200, 403, 403, 403, 303]),
    ("GET", "/users/{user}", [200, 200, 404, 404, 303]),
    ("POST", "/users/{user}", [400, 403, 403, 403, 403]),
    ("POST", "/users/{user}/password", [400, 403, 403, 403, 403]),
    ("POST", "/users/{user}/lock", [422, 403, 403, 403, 403]),
    ("GET", "/audit", [200, 403, 403, 403, 303]),
    ("GET", "/export/audit", [200, 403, 403, 403, 303]),
    ("GET", "/export/users", [200, 200, 200, 403, 303]),
    ("GET", "/export/units", [200, 200, 200, 200, 303]),
    ("GET", "/export/enterprises", [200, 200, 200, 200, 303]),
    ("GET", "/export/problems", [200, 200, 200, 200, 303]),
    ("GET", "/export/dashboard", [200, 200, 200, 403, 303]),
    ("GET", "/export/unreported", [404, 404, 403, 403, 303]),
    ("GET", "/calendar", [200, 200, 200, 200, 303]),
    ("POST", "/calendar", [400, 403, 403, 403, 403]),
    ("POST", "/calendar/delete", [422, 403, 403, 403, 403]),
    ("GET", "/notices", [200, 200, 200, 200, 303]),
    ("POST", "/notices/read-all", [303, 303, 303, 303, 403]),
    ("POST", "/notices/{none}/open", [404, 404, 404, 404, 403]),
    ("POST", "/notices/{none}/read", [303, 303, 303, 303, 403]),
    ("GET", "/healthz", [200, 200, 200, 200, 200]),
    ("GET", "/api/openapi.json", [200, 200, 200, 200, 200]),
    ("GET", "/api/v1/me", [200, 200, 200, 200, 401]),
    ("GET", "/api/v1/units", [200, 200, 200, 200, 401]),
    ("GET", "/api/v1/units/{unit}", [200, 200, 200, 200, 401]),
    (
        "PUT",
        "/api/v1/units/{unit}/contact",
        [422, 422, 422, 422, 403],
    ),
    ("GET", "/api/v1/users", [200, 200, 200, 200, 401]),
    ("GET", "/api/v1/users/{user}", [200, 200, 404, 404, 401]),
    ("GET", "/api/v1/audit", [200, 403, 403, 403, 401]),
    ("GET", "/api/v1/calendar/{year}", [200, 200, 200, 200, 401]),
    ("GET", "/plans", [200, 200, 200, 200, 303]),
    ("POST", "/plans/import", [400, 403, 403, 403, 403]),
    ("GET", "/plans/{plan}", [200, 200, 200, 200, 303]),
    ("POST", "/plans/{plan}/meta", [400, 403, 403, 403, 403]),
    (
        "POST",
        "/plans/{plan}/items/{none}",
        [422, 422, 422, 422, 403],
    ),
    (
        "POST",
        "/plans/{plan}/targets/{none}",
        [400, 403, 403, 403, 403],
    ),
    ("POST", "/plans/{none}/publish", [404, 403, 403, 403, 403]),
    ("POST", "/plans/{none}/delete", [404, 403, 403, 403, 403]),
    (
        "GET",
        "/plans/{plan}/export.xlsx",
        [200, 200, 200, 200, 303],
    ),
    ("GET", "/monitor", [200, 200, 200, 403, 303]),
    (
        "GET",
        "/monitor/indicators/{indicator}",
        [200, 200, 200, 403, 303],
    ),
    (
        "GET",
        "/monitor/indicators/{indicator}/chart.svg",
        [200, 200, 200, 403, 303],
    ),
    ("GET", "/monitor/periods", [200, 200, 403, 403, 303]),
    ("POST", "/monitor/periods", [400, 403, 403, 403, 403]),
    (
        "GET",
        "/monitor/periods/{period}",
        [200, 200, 403, 403, 303],
    ),
    (
        "POST",
        "/monitor/periods/{none}/remind",
        [404, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/monitor/periods/{period}/approve",
        [400, 403, 403, 403, 403],
    ),
    (
        "GET",
        "/monitor/submissions/{none}/review",
        [404, 404, 403, 403, 303],
    ),
    (
        "POST",
        "/monitor/submissions/{none}/review",
        [422, 422, 422, 422, 403],
    ),
    ("GET", "/report", [303, 303, 200, 403, 303]),
    ("GET", "/report/{period}", [400, 400, 200, 403, 303]),
    ("POST", "/report/{period}", [400, 403, 400, 403, 403]),
    (
        "POST",
        "/report/{period}/correct",
        [400, 403, 303, 403, 403],
    ),
    (
        "POST",
        "/report/{period}/withdraw",
        [403, 403, 400, 403, 403],
    ),
    (
        "POST",
        "/report/{period}/attachments",
        [400, 403, 400, 403, 403],
    ),
    (
        "GET",
        "/report/{period}/template.xlsx",
        [400, 400, 200, 403, 303],
    ),
    (
        "POST",
        "/report/{period}/template",
        [400, 403, 400, 403, 403],
    ),
    (
        "GET",
        "/report/{period}/projects.xlsx",
        [400, 400, 200, 403, 303],
    ),
    (
        "POST",
        "/report/{period}/projects",
        [400, 403, 400, 403, 403],
    ),
    (
        "GET",
        "/report/attachments/{none}",
        [404, 404, 404, 404, 303],
    ),
    (
        "POST",
        "/report/attachments/{none}/delete",
        [404, 404, 404, 404, 403],
    ),
    ("GET", "/monitor/settings", [200, 403, 403, 403, 303]),
    (
        "POST",
        "/monitor/settings/thresholds",
        [422, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/monitor/settings/indicators/{indicator}",
        [303, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/monitor/settings/indicators/{indicator}/source",
        [400, 403, 403, 403, 403],
    ),
    ("GET", "/bulletins", [200, 200, 200, 403, 303]),
    ("GET", "/bulletins/bulletin.css", [200, 200, 200, 200, 200]),
    ("GET", "/bulletins/preview", [400, 403, 403, 403, 303]),
    ("GET", "/bulletins/preview/file", [400, 403, 403, 403, 303]),
    ("POST", "/bulletins/publish", [422, 403, 403, 403, 403]),
    ("GET", "/bulletins/{bulletin}", [200, 200, 200, 403, 303]),
    (
        "GET",
        "/bulletins/{bulletin}/file/{format}",
        [200, 200, 200, 403, 303],
    ),
    ("GET", "/problems", [200, 200, 200, 200, 303]),
    ("POST", "/problems", [400, 403, 403, 400, 403]),
    ("GET", "/problems/new", [200, 403, 403, 200, 303]),
    ("GET", "/problems/rates", [200, 200, 200, 403, 303]),
    ("GET", "/problems/settings", [200, 403, 403, 403, 303]),
    ("GET", "/meetings", [200, 200, 200, 403, 303]),
    ("POST", "/meetings", [400, 403, 403, 403, 403]),
    ("POST", "/meetings/settings", [400, 403, 403, 403, 403]),
    ("GET", "/meetings/{meeting}", [200, 200, 200, 403, 303]),
    (
        "POST",
        "/meetings/{meeting}/agenda",
        [400, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/meetings/{meeting}/step",
        [400, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/meetings/{meeting}/decisions",
        [400, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/meetings/{meeting}/issue",
        [400, 403, 403, 403, 403],
    ),
    (
        "GET",
        "/meetings/{meeting}/notice.docx",
        [200, 200, 200, 403, 303],
    ),
    (
        "GET",
        "/meetings/{meeting}/minutes.docx",
        [200, 404, 404, 403, 303],
    ),
    (
        "GET",
        "/meetings/{meeting}/agenda.docx",
        [200, 200, 200, 403, 303],
    ),
    (
        "GET",
        "/meetings/{meeting}/agenda.xlsx",
        [200, 200, 200, 403, 303],
    ),
    (
        "POST",
        "/meetings/agenda/{none}/edit",
        [404, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/meetings/agenda/{none}/move",
        [404, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/meetings/agenda/{none}/remove",
        [404, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/meetings/agenda/{none}/statement",
        [404, 403, 404, 403, 403],
    ),
    ("GET", "/supervision", [200, 200, 200, 403, 303]),
    (
        "GET",
        "/supervision/{supervision}",
        [200, 200, 200, 403, 303],
    ),
    (
        "POST",
        "/supervision/{supervision}/step",
        [400, 403, 400, 403, 403],
    ),
    ("GET", "/export/supervision", [200, 200, 200, 403, 303]),
    (
        "POST",
        "/problems/settings/contact",
        [400, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/problems/settings/route",
        [400, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/problems/settings/limits",
        [400, 403, 403, 403, 403],
    ),
    ("POST", "/problems/sweep", [303, 403, 403, 403, 403]),
    ("GET", "/problems/{problem}", [200, 200, 200, 404, 303]),
    (
        "POST",
        "/problems/{problem}/step",
        [400, 400, 400, 404, 403],
    ),
    // The unit walked leads the problem, so it may note on it (the leader and firm may not).
    (
        "POST",
        "/problems/{problem}/notes",
        [400, 403, 400, 403, 403],
    ),
    (
        "POST",
        "/problems/{problem}/attachments",
        [400, 400, 400, 400, 403],
    ),
    (
        "GET",
        "/problems/{problem}/attachments/{none}",
        [404, 404, 404, 404, 303],
    ),
    ("GET", "/api/v1/problems", [200, 200, 200, 200, 401]),
    ("POST", "/api/v1/problems", [415, 415, 415, 415, 403]),
    ("GET", "/api/v1/problems/rates", [200, 200, 200, 403, 401]),
    (
        "GET",
        "/api/v1/problems/{problem}",
        [200, 200, 200, 404, 401],
    ),
    (
        "POST",
        "/api/v1/problems/{problem}/steps",
        [415, 415, 415, 415, 403],
    ),
    ("GET", "/enterprises", [200, 200, 200, 200, 303]),
    ("POST", "/enterprises/import", [400, 403, 403, 403, 403]),
    (
        "GET",
        "/enterprises/template/{kind}",
        [200, 403, 403, 403, 303],
    ),
    ("GET", "/jobs/{none}", [404, 404, 404, 404, 303]),
    ("GET", "/enterprises/evaluation", [200, 200, 200, 200, 303]),
    (
        "POST",
        "/enterprises/evaluation/run",
        [400, 403, 403, 403, 403],
    ),
    (
        "GET",
        "/enterprises/evaluation/{run}/export.xlsx",
        [200, 200, 200, 200, 303],
    ),
    (
        "POST",
        "/enterprises/evaluation/{none}/override",
        [400, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/enterprises/evaluation/{none}/publicity",
        [404, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/enterprises/evaluation/{none}/finalize",
        [404, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/enterprises/evaluation/{run}/objection",
        [400, 403, 403, 400, 403],
    ),
    (
        "POST",
        "/enterprises/objections/{none}",
        [400, 403, 403, 403, 403],
    ),
    ("GET", "/enterprises/scheme", [200, 200, 403, 403, 303]),
    ("POST", "/enterprises/scheme", [400, 403, 403, 403, 403]),
    (
        "GET",
        "/enterprises/scheme/numbers",
        [200, 403, 403, 403, 303],
    ),
    (
        "POST",
        "/enterprises/scheme/numbers",
        [400, 403, 403, 403, 403],
    ),
    (
        "GET",
        "/enterprises/{enterprise}",
        [200, 200, 404, 404, 303],
    ),
    ("GET", "/projects", [200, 200, 200, 200, 303]),
    ("POST", "/projects", [400, 403, 400, 403, 403]),
    ("GET", "/projects/new", [200, 403, 200, 403, 303]),
    ("POST", "/projects/settings", [400, 403, 403, 403, 403]),
    ("GET", "/projects/{project}", [200, 200, 404, 404, 303]),
    ("POST", "/projects/{project}", [400, 403, 404, 403, 403]),
    ("GET", "/projects/{project}/edit", [200, 403, 404, 403, 303]),
    (
        "POST",
        "/projects/{project}/move",
        [400, 403, 404, 403, 403],
    ),
    ("GET", "/export/projects", [200, 200, 200, 200, 303]),
    ("GET", "/leads", [200, 200, 200, 200, 303]),
    ("POST", "/leads", [400, 400, 400, 400, 403]),
    ("GET", "/leads/new", [200, 200, 200, 200, 303]),
    ("GET", "/leads/{lead}", [200, 200, 404, 404, 303]),
    ("POST", "/leads/{lead}/decide", [400, 403, 403, 403, 403]),
    ("POST", "/leads/{lead}/convert", [400, 403, 403, 403, 403]),
    ("GET", "/cultivation", [200, 200, 200, 403, 303]),
    ("GET", "/cultivation/candidates", [200, 200, 200, 403, 303]),
    (
        "POST",
        "/cultivation/candidates/accept",
        [400, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/cultivation/candidates/floor",
        [400, 403, 403, 403, 403],
    ),
    ("GET", "/cultivation/entries", [200, 200, 200, 403, 303]),
    ("POST", "/cultivation/entries", [400, 403, 403, 403, 403]),
    (
        "GET",
        "/export/cultivation/entries",
        [200, 200, 200, 403, 303],
    ),
    (
        "GET",
        "/cultivation/entries/{centry}",
        [200, 200, 200, 403, 303],
    ),
    (
        "POST",
        "/cultivation/entries/{centry}/move",
        [400, 403, 403, 403, 403],
    ),
    (
        "GET",
        "/cultivation/pipelines/{cpipeline}/settings",
        [200, 403, 403, 403, 303],
    ),
    (
        "POST",
        "/cultivation/pipelines/{cpipeline}/settings",
        [400, 403, 403, 403, 403],
    ),
    ("GET", "/help", [303, 303, 303, 303, 303]),
    ("GET", "/help/office", [200, 200, 200, 200, 303]),
    ("GET", "/help/{none}", [404, 404, 404, 404, 303]),
    ("GET", "/help/img/{none}", [404, 404, 404, 404, 303]),
    ("GET", "/projects/library.xlsx", [200, 200, 200, 200, 303]),
    ("POST", "/projects/import", [400, 403, 403, 403, 403]),
    ("GET", "/api/v1/plans", [200, 200, 200, 200, 401]),
    ("GET", "/api/v1/plans/{plan}", [200, 200, 200, 200, 401]),
    (
        "GET",
        "/api/v1/plans/{plan}/picture",
        [200, 200, 200, 403, 401],
    ),
    (
        "GET",
        "/api/v1/periods/{period}/report",
        [422, 422, 200, 403, 401],
    ),
    (
        "PUT",
        "/api/v1/periods/{none}/report",
        [422, 403, 404, 403, 403],
    ),
    (
        "POST",
        "/api/v1/periods/{none}/report/submit",
        [415, 403, 415, 403, 403],
    ),
    (
        "GET",
        "/api/v1/submissions/{none}",
        [404, 404, 404, 404, 401],
    ),
    (
        "POST",
        "/api/v1/submissions/{none}/review",
        [415, 403, 403, 403, 403],
    ),
    (
        "GET",
        "/api/v1/plans/{plan}/bulletins",
        [200, 200, 200, 403, 401],
    ),
    (
        "GET",
        "/api/v1/bulletins/{bulletin}",
        [200, 200, 200, 403, 401],
    ),
    (
        "GET",
        "/api/v1/bulletins/{bulletin}/files/{format}",
        [200, 200, 200, 403, 401],
    ),
    ("GET", "/api/v1/enterprises", [200, 200, 200, 200, 401]),
    (
        "GET",
        "/api/v1/enterprises/{enterprise}",
        [200, 200, 404, 404, 401],
    ),
    (
        "GET",
        "/api/v1/enterprises/{enterprise}/facts",
        [200, 200, 404, 404, 401],
    ),
    ("GET", "/api/v1/evaluation/runs", [200, 200, 200, 200, 401]),
    (
        "GET",
        "/api/v1/evaluation/runs/{run}/results",
        [200, 200, 200, 200, 401],
    ),
    ("GET", "/api/v1/projects", [200, 200, 200, 200, 401]),
    ("POST", "/api/v1/projects", [415, 403, 415, 403, 403]),
    (
        "GET",
        "/api/v1/projects/{project}",
        [200, 200, 404, 404, 401],
    ),
    (
        "POST",
        "/api/v1/projects/{project}/stage",
        [415, 403, 415, 403, 403],
    ),
    ("GET", "/api/v1/leads", [200, 200, 200, 200, 401]),
    ("GET", "/api/v1/leads/{lead}", [200, 200, 404, 404, 401]),
    (
        "GET",
        "/api/v1/cultivation/pipelines",
        [200, 200, 200, 403, 401],
    ),
    (
        "GET",
        "/api/v1/cultivation/entries",
        [200, 200, 200, 403, 401],
    ),
    (
        "GET",
        "/api/v1/cultivation/entries/{centry}",
        [200, 200, 200, 403, 401],
    ),
    (
        "GET",
        "/api/v1/cultivation/candidates",
        [200, 200, 200, 403, 401],
    ),
    ("GET", "/api/v1/meetings", [200, 200, 200, 403, 401]),
    (
        "GET",
        "/api/v1/meetings/{meeting}",
        [200, 200, 200, 403, 401],
    ),
    ("GET", "/api/v1/supervision", [200, 200, 200, 403, 401]),
    (
        "GET",
        "/api/v1/supervision/{supervision}",
        [200, 200, 200, 403, 401],
    ),
    (
        "POST",
        "/api/v1/supervision/{supervision}/steps",
        [415, 403, 415, 403, 403],
    ),
    ("GET", "/api/{none}", [404, 404, 404, 404, 404]),
    ("GET", "/cultivation/imports", [200, 403, 403, 403, 303]),
    ("POST", "/cultivation/imports", [400, 403, 403, 403, 403]),
    (
        "GET",
        "/cultivation/imports/{none}",
        [404, 403, 403, 403, 303],
    ),
    (
        "POST",
        "/cultivation/imports/{none}/apply",
        [404, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/cultivation/imports/{none}/discard",
        [404, 403, 403, 403, 403],
    ),
    ("GET", "/settings", [200, 403, 403, 403, 303]),
    ("GET", "/settings/documents", [200, 403, 403, 403, 303]),
    ("POST", "/settings/documents", [400, 403, 403, 403, 403]),
    ("GET", "/settings/tokens", [200, 403, 403, 403, 303]),
    ("POST", "/settings/tokens", [400, 403, 403, 403, 403]),
    (
        "POST",
        "/settings/tokens/{none}/revoke",
        [404, 403, 403, 403, 403],
    ),
    ("GET", "/settings/webhooks", [200, 403, 403, 403, 303]),
    ("POST", "/settings/webhooks", [400, 403, 403, 403, 403]),
    ("GET", "/settings/webhooks/new", [200, 403, 403, 403, 303]),
    (
        "GET",
        "/settings/webhooks/{none}",
        [404, 403, 403, 403, 303],
    ),
    (
        "POST",
        "/settings/webhooks/{none}",
        [404, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/settings/webhooks/{none}/delete",
        [404, 403, 403, 403, 403],
    ),
    (
        "GET",
        "/settings/webhooks/deliveries/{none}",
        [404, 403, 403, 403, 303],
    ),
    (
        "POST",
        "/settings/webhooks/deliveries/{none}/resend",
        [404, 403, 403, 403, 403],
    ),
    ("GET", "/assessment", [200, 200, 200, 403, 303]),
    ("POST", "/assessment/run", [400, 403, 403, 403, 403]),
    ("GET", "/assessment/schemes", [200, 403, 403, 403, 303]),
    ("POST", "/assessment/schemes", [400, 403, 403, 403, 403]),
    ("GET", "/assessment/schemes/new", [200, 403, 403, 403, 303]),
    ("POST", "/assessment/schemes/new", [400, 403, 403, 403, 403]),
    (
        "GET",
        "/assessment/schemes/{none}/edit",
        [404, 403, 403, 403, 303],
    ),
    (
        "POST",
        "/assessment/schemes/{none}/edit",
        [404, 403, 403, 403, 403],
    ),
    ("GET", "/assessment/{none}", [404, 404, 404, 403, 303]),
    (
        "POST",
        "/assessment/{none}/publish",
        [404, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/assessment/{none}/finalise",
        [404, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/assessment/objections/{none}/answer",
        [404, 403, 403, 403, 403],
    ),
    (
        "GET",
        "/assessment/{none}/units/{unit}",
        [404, 404, 404, 403, 303],
    ),
    (
        "GET",
        "/assessment/{none}/units/{unit}/items/{kind}",
        [404, 404, 404, 403, 303],
    ),
    (
        "POST",
        "/assessment/{none}/units/{unit}/object",
        [403, 403, 404, 403, 403],
    ),
    ("GET", "/api/v1/assessments", [200, 200, 200, 403, 401]),
    (
        "GET",
        "/api/v1/assessments/{none}",
        [404, 404, 404, 403, 401],
    ),
    (
        "GET",
        "/api/v1/assessments/{none}/ranking",
        [404, 404, 404, 403, 401],
    ),
    (
        "GET",
        "/api/v1/assessments/{none}/units/{unit}",
        [404, 404, 404, 403, 401],
    ),
    ("POST", "/api/v1/leads", [415, 415, 415, 415, 403]),
    (
        "POST",
        "/api/v1/leads/{lead}/decision",
        [415, 403, 403, 403, 403],
    ),
    (
        "GET",
        "/api/v1/periods/{period}/dispatch",
        [422, 422, 200, 403, 401],
    ),
    (
        "POST",
        "/api/v1/cultivation/entries",
        [415, 403, 403, 403, 403],
    ),
    (
        "POST",
        "/api/v1/cultivation/entries/{centry}/moves",
        [415, 403, 403, 403, 403],
    ),
    (
        "GET",
        "/assessment/results/{none}",
        [404, 404, 404, 403, 303],
    ),
    (
        "GET",
        "/assessment/{none}/result.docx",
        [404, 404, 403, 403, 303],
    ),
    (
        "GET",
        "/assessment/{none}/result.xlsx",
        [404, 404, 403, 403, 303],
    ),
    ("POST", "/assessment/manual", [400, 403, 403, 403, 403]),
    ("GET", "/assessment/manual", [200, 403, 403, 403, 303]),
    (
        "POST",
        "/assessment/manual/{none}/delete",
        [404, 403, 403, 403, 403],
    ),
    (
        "GET",
        "/assessment/manual/{none}/edit",
        [404, 403, 403, 403, 303],
    ),
    (
        "POST",
        "/assessment/manual/{none}/edit",
        [404, 403, 403, 403, 403],
    ),
    (
        "GET",
        "/assessment/manual/{none}/file",
        [404, 404, 404, 403, 303],
    ),
    (
        "GET",
        "/projects/{project}/problem",
        [200, 403, 404, 403, 303],
    ),
    (
        "POST",
        "/projects/{project}/problem",
        [400, 403, 404, 403, 403],
    ),
    ("GET", "/projects/funnel", [200, 200, 200, 200, 303]),
    ("GET", "/export/projects/funnel", [200, 200, 200, 200, 303]),
    ("GET", "/cultivation/analytics", [200, 200, 200, 403, 303]),
    (
        "GET",
        "/cultivation/analytics/export",
        [200, 200, 200, 403, 303],
    ),
    ("GET", "/cultivation/workbook", [200, 200, 200, 403, 303]),
    ("GET", "/cultivation/reminders", [200, 403, 403, 403, 303]),
    (
        "POST",
        "/cultivation/pipelines/{cpipeline}/stall",
        [303, 403, 403, 403, 403],
    ),
    ("POST", "/logout", [303, 303, 303, 303, 403]),
];

/// Ids found on the office's pages: (placeholder, page, link prefix).
const IDS: &[(&str, &str, &str)] = &[
    ("unit", "/units", "/units/"),
    ("plan", "/plans", "/plans/"),
    ("period", "/monitor/periods", "/monitor/periods/"),
    ("problem", "/problems", "/problems/"),
    ("bulletin", "/bulletins", "/bulletins/"),
    ("enterprise", "/enterprises", "/enterprises/"),
    ("run", "/enterprises/evaluation", "/enterprises/evaluation/"),
    ("indicator", "/monitor", "/monitor/indicators/"),
    ("project", "/projects", "/projects/"),
    ("lead", "/leads", "/leads/"),
    ("centry", "/cultivation/entries", "/cultivation/entries/"),
    ("cpipeline", "/cultivation", "/cultivation/pipelines/"),
    ("meeting", "/meetings", "/meetings/"),
    ("supervision", "/supervision", "/supervision/"),
];

async fn first_id(c: &reqwest::Client, url: &str, prefix: &str) -> Option<i64> {
    let body = c.get(url).send().await.ok()?.text().await.ok()?;
    let marker = format!("\"{prefix}");
    body.match_indices(&marker).find_map(|(at, _)| {
        body[at + marker.len()..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|id| id.parse().ok())
    })
}

/// A client for `username`; `anonymous` walks signed out.
async fn sign_in(base: &str, username: &str) -> reqwest::Client {
    if username == "anonymous" {
        return client();
    }
    common::sign_in(base, username).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_each_role_as_the_table_says() {
    let (base, db) = spawn_demo().await;
    let office = sign_in(&base, "admin").await;
    let mut ids: HashMap<&str, String> = HashMap::new();
    for (name, page, prefix) in IDS {
        let id = first_id(&office, &format!("{base}{page}"), prefix)
            .await
            .unwrap_or_else(|| panic!("no {prefix}<id> link on {page}"));
        ids.insert(name, id.to_string());
    }
    // The 督办 item walked is one of jxj1's own (its unit reads it and takes its steps), whichever
    // unit's item happens to be the most urgent on the office's list.
    let jxj = db
        .store
        .find_user_by_username("jxj1")
        .await
        .unwrap()
        .unwrap()
        .profile
        .unit_id
        .unwrap();
    let own = first_id(
        &office,
        &format!("{base}/supervision?unit={jxj}"),
        "/supervision/",
    )
    .await
    .unwrap_or_else(|| panic!("no 督办 item of jxj1's unit on /supervision?unit={jxj}"));
    ids.insert("supervision", own.to_string());
    // Likewise the problem walked is one its unit leads (whichever enterprise it is of).
    // (read from the store: the list page's notices link problems too).
    let led = qx_store::problems::ProblemFilter {
        unit_id: Some(jxj),
        limit: 1,
        ..Default::default()
    };
    let (led, _) = db
        .store
        .list_problems(
            &qx_core::access::Actor::system(),
            &led,
            qx_core::time::today(),
        )
        .await
        .unwrap();
    let own = led.first().expect("a problem led by jxj1's unit").id;
    ids.insert("problem", own.to_string());
    // Another office account: everyone on the county's side above a unit reads it, a unit or an
    // enterprise does not (and is told "not found", never "forbidden").
    let office2 = db
        .store
        .find_user_by_username("office2")
        .await
        .unwrap()
        .unwrap();
    ids.insert("user", office2.id.to_string());
    ids.insert("none", "999999".into());
    ids.insert("year", "2017".into());
    ids.insert("format", "docx".into());
    ids.insert("kind", "registry".into());
    let fill = |path: &str| {
        let mut out = path.to_string();
        for (k, v) in &ids {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        out
    };

    let mut actual: Vec<[u16; 5]> = vec![[0; 5]; TABLE.len()];
    for (w, who) in WHO.iter().enumerate() {
        let c = sign_in(&base, who).await;
        let token = if *who == "anonymous" {
            String::new()
        } else {
            csrf(&c, &format!("{base}/account")).await
        };
        for (r, (method, path, _)) in TABLE.iter().enumerate() {
            let url = format!("{base}{}", fill(path));
            let req = match *method {
                "GET" => c.get(&url),
                "PUT" => c
                    .put(&url)
                    .header("x-csrf-token", &token)
                    .header("content-type", "application/json")
                    .body("{}"),
                _ => c
                    .post(&url)
                    .header("x-csrf-token", &token)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(""),
            };
            actual[r][w] = req.send().await.unwrap().status().as_u16();
        }
    }
    let wrong: Vec<String> = TABLE
        .iter()
        .zip(&actual)
        .filter(|((_, _, expected), got)| expected != *got)
        .map(|((m, p, e), got)| format!("{m} {p}: expected {e:?}, got {got:?}"))
        .collect();
    let table: Vec<String> = TABLE
        .iter()
        .zip(&actual)
        .map(|((m, p, _), got)| format!("    (\"{m}\", \"{p}\", {got:?}),"))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} routes answer otherwise ({:?}):\n{}\n\nthe table as it is now:\n{}",
        wrong.len(),
        TABLE.len(),
        WHO,
        wrong.join("\n"),
        table.join("\n")
    );
}

/// Every `.route("…", get(…).post(…))` in the web crate's source has a row for each method it
/// serves, so a module added later is walked too, and so is a method added to a path that
/// already has a row (`POST /login` beside `GET /login`). A route served for `any` method needs
/// one row of its path.
#[test]
fn every_route_has_a_row() {
    let declared = declared_routes();
    assert!(
        declared.contains(&("POST".to_string(), "/login".to_string())),
        "the reader of `.route(…)` finds each method: {declared:?}"
    );
    let missing = without_a_row(&declared, TABLE);
    assert!(
        missing.is_empty(),
        "routes without a row in TABLE: {missing:?}"
    );
}

/// Taking any row out of the table is noticed, `POST /login` included.
#[test]
fn a_route_whose_row_is_removed_is_missing() {
    let declared = declared_routes();
    for (at, (method, path, _)) in TABLE.iter().enumerate() {
        let fewer: Vec<_> = TABLE
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != at)
            .map(|(_, row)| *row)
            .collect();
        // A path may be walked twice (`{plan}` and `{none}`): one row of it is enough; a row
        // for one page of a route (`/help/office`) stands beside the route's own.
        let twin = fewer
            .iter()
            .any(|(m, p, _)| m == method && normalise(p) == normalise(path));
        let declares = declared.contains(&(method.to_string(), normalise(path)))
            || declared.contains(&("ANY".to_string(), normalise(path)));
        let missing = without_a_row(&declared, &fewer);
        if declares && !twin {
            assert!(
                missing.contains(&(method.to_string(), normalise(path)))
                    || missing
                        .iter()
                        .any(|(m, p)| m == "ANY" && *p == normalise(path)),
                "without the row {method} {path} nothing is missing: {missing:?}"
            );
        }
    }
}

/// Each `(method, path)` the web crate's source declares with `.route(…)`, paths normalised;
/// `ANY` for a route served for every method.
fn declared_routes() -> BTreeSet<(String, String)> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut declared = BTreeSet::new();
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (at, _) in text.match_indices(".route(") {
                    let call = &text[at + ".route(".len()..];
                    let Some(rest) = call.trim_start().strip_prefix('"') else {
                        continue;
                    };
                    let route = normalise(rest.split('"').next().unwrap_or_default());
                    let methods = methods_of(call);
                    assert!(
                        !methods.is_empty(),
                        "{}: no method read for {route}",
                        path.display()
                    );
                    for m in methods {
                        declared.insert((m, route.clone()));
                    }
                }
            }
        }
    }
    declared
}

/// The methods of one `.route(` call, `call` being its text after the opening parenthesis:
/// every `get(`, `post(`, `put(`, `delete(`, `patch(`, `any(` up to the call's closing one.
fn methods_of(call: &str) -> Vec<String> {
    let mut depth = 1usize;
    let mut end = call.len();
    for (i, c) in call.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            _ => {}
        }
    }
    let body = &call[..end];
    let mut out = Vec::new();
    for name in ["get", "post", "put", "delete", "patch", "any"] {
        let call = format!("{name}(");
        for (at, _) in body.match_indices(&call) {
            let before = body[..at].chars().next_back();
            if before.is_none_or(|c| !(c.is_alphanumeric() || c == '_')) {
                out.push(name.to_uppercase());
            }
        }
    }
    out
}

/// The declared routes `table` has no row for.
fn without_a_row(
    declared: &BTreeSet<(String, String)>,
    table: &[(&str, &str, [u16; 5])],
) -> Vec<(String, String)> {
    let tabled: BTreeSet<(String, String)> = table
        .iter()
        .map(|(m, p, _)| (m.to_string(), normalise(p)))
        .collect();
    declared
        .iter()
        .filter(|(m, p)| {
            let walked = if m == "ANY" {
                tabled.iter().any(|(_, q)| q == p)
            } else {
                tabled.contains(&(m.clone(), p.clone()))
            };
            !walked && !UNWALKED.contains(&p.as_str())
        })
        .cloned()
        .collect()
}

/// Routes with no guard to check: static files.
const UNWALKED: &[&str] = &["/assets/{}"];

/// `/plans/{id}/items/{item}` and `/plans/{plan}/items/{none}` both as `/plans/{}/items/{}`.
fn normalise(route: &str) -> String {
    let mut out = String::new();
    let mut in_brace = false;
    for c in route.chars() {
        match c {
            '{' => {
                in_brace = true;
                out.push_str("{}");
            }
            '}' => in_brace = false,
            _ if in_brace => {}
            _ => out.push(c),
        }
    }
    out
}

/// The menu offers each role only what it may open: every link in the header's menu answers
/// the signed-in person with a page (or a redirect to their own view of it), never 403/404.
#[tokio::test]
async fn the_menu_offers_each_role_only_what_it_may_open() {
    let (base, _db) = spawn_demo().await;
    for who in ["admin", "leader", "jxj1", "qy01"] {
        let c = sign_in(&base, who).await;
        let home = c
            .get(format!("{base}/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let nav = &home[home.find("<nav>").expect("a menu")..home.find("</nav>").unwrap()];
        let links: Vec<&str> = nav
            .split("href=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert!(links.len() >= 4, "{who}: {links:?}");
        for link in links {
            let status = c
                .get(format!("{base}{link}"))
                .send()
                .await
                .unwrap()
                .status();
            assert!(
                status.is_success() || status.is_redirection(),
                "{who} is offered {link}, which answers {status}"
            );
        }
    }
}

/// The links of an HTML page that stay on the site, as written in its `href`s.
fn site_links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))
        .map(|l| l.replace("&amp;", "&"))
        .collect()
}

/// Pages of one kind a walk opens at most.
const PER_KIND: usize = 8;

/// Walks the site from the home page as `who`, following every link a page shows (at most
/// `limit` pages, at most [`PER_KIND`] of each kind, downloads and the guide left out), and
/// lists each link that answers 403, 404 or an error, with the page that showed it, and each
/// page whose title holds markup (a tab reading `难题 #1<script …>`).
async fn dead_links(base: &str, who: &str, limit: usize) -> Vec<String> {
    let c = common::sign_in(base, who).await;
    let skip = [
        "/logout", "/assets/", "/static/", "/help", "/api/", "/export/",
    ];
    let download = [".docx", ".xlsx", ".csv", ".pdf", "/file", "/attachments/"];
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut per_path: HashMap<String, usize> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([("/".to_string(), String::new())]);
    let mut dead = Vec::new();
    let mut pages = 0;
    while let Some((link, from)) = queue.pop_front() {
        if pages >= limit {
            break;
        }
        pages += 1;
        let resp = c.get(format!("{base}{link}")).send().await.unwrap();
        let status = resp.status().as_u16();
        if status == 403 || status == 404 || status >= 500 {
            dead.push(format!("{status} {link} (linked from {from})"));
            continue;
        }
        let html = resp
            .headers()
            .get("content-type")
            .is_some_and(|t| t.to_str().is_ok_and(|t| t.starts_with("text/html")));
        if !html {
            continue;
        }
        let body = resp.text().await.unwrap();
        let title = body
            .split_once("<title>")
            .and_then(|(_, rest)| rest.split_once("</title>"))
            .map_or("", |(title, _)| title);
        if title.contains(['<', '>']) {
            dead.push(format!("title with markup on {link}: {title}"));
        }
        for next in site_links(&body) {
            let path = next.split(['?', '#']).next().unwrap_or("");
            let wanted = !skip.iter().any(|s| path.starts_with(s))
                && !download.iter().any(|d| path.contains(d));
            // Pages of one kind (`/meetings/{id}`) count together, so the walk reaches every
            // kind of page before it runs out.
            let shape: String = path
                .split('/')
                .map(|s| if s.parse::<i64>().is_ok() { "{id}" } else { s })
                .collect::<Vec<_>>()
                .join("/");
            let count = per_path.entry(shape).or_default();
            if wanted && *count < PER_KIND && seen.insert(next.clone()) {
                *count += 1;
                queue.push_back((next, link.clone()));
            }
        }
    }
    dead
}

/// A page shows a unit, a town or an enterprise only the links it may follow: the names of
/// records it may not open (another unit's breakdown, another unit's 督办 item, a firm outside
/// the town) are plain text, not a way to "not found". Guards every module added later.
#[tokio::test]
async fn no_page_links_its_reader_to_a_page_it_may_not_open() {
    let (base, _db) = spawn_demo().await;
    for who in ["admin", "jxj1", "sp1", "qy01"] {
        let dead = dead_links(&base, who, 400).await;
        assert!(dead.is_empty(), "{who}:\n{}", dead.join("\n"));
    }
}
