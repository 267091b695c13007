//! 帮助: the user guide (`docs/guide/`, Chinese only) shown inside the app's layout.
//!
//! The chapters and their screenshots are compiled into the binary, so the help a county sees
//! is the guide of the version it runs, on an isolated network too. `/help` opens the chapter
//! of the reader's role; links between chapters (`office.md`) and images (`img/x.png`) are
//! written for reading the files on disk and rewritten here into `/help/…` paths. The Markdown
//! is ours, yet raw HTML in it is shown as text, never passed through.

use crate::auth::Signed;
use crate::pages::{PageCtx, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};
use qx_core::access::Role;
use qx_core::units::UnitKind;

#[derive(rust_embed::RustEmbed)]
#[folder = "../../docs/guide/"]
struct Guide;

/// The chapters in reading order: the file's stem (and the page's path) and its title.
pub const CHAPTERS: &[(&str, &str)] = &[
    ("index", "使用指南"),
    ("office", "办公室"),
    ("unit", "责任单位"),
    ("town", "镇乡(街道)"),
    ("enterprise", "企业"),
    ("leader", "领导"),
    ("sysadmin", "系统管理员"),
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/help", get(home))
        .route("/help/{chapter}", get(chapter))
        .route("/help/img/{file}", get(image))
}

/// The chapter a role reads first: a town's liaison has a chapter of their own.
fn chapter_for(role: Role, unit_kind: Option<UnitKind>) -> &'static str {
    match role {
        Role::Admin => "office",
        Role::Leader => "leader",
        Role::Enterprise => "enterprise",
        Role::Unit if unit_kind == Some(UnitKind::Town) => "town",
        Role::Unit => "unit",
    }
}

async fn home(State(state): State<AppState>, auth: Signed) -> Result<Response, WebError> {
    let role = auth.session.user.role();
    let unit_kind = match auth.session.user.profile.unit_id {
        Some(id) if role == Role::Unit => Some(state.store.get_unit(id).await?.kind),
        _ => None,
    };
    Ok(Redirect::to(&format!("/help/{}", chapter_for(role, unit_kind))).into_response())
}

struct NavEntry {
    slug: &'static str,
    title: &'static str,
    current: bool,
}

#[derive(Template)]
#[template(path = "help/chapter.html")]
struct ChapterPage {
    ctx: PageCtx,
    title: &'static str,
    chapters: Vec<NavEntry>,
    /// The chapter as HTML, made from our own Markdown with raw HTML turned into text.
    body: String,
}

async fn chapter(auth: Signed, Path(slug): Path<String>) -> Result<Response, WebError> {
    let Some(&(slug, title)) = CHAPTERS.iter().find(|(s, _)| *s == slug) else {
        return Err(WebError::NotFound(format!("帮助章节 {slug}")));
    };
    let Some(file) = Guide::get(&format!("{slug}.md")) else {
        return Err(WebError::NotFound(format!("帮助章节 {slug}")));
    };
    let markdown = String::from_utf8_lossy(&file.data);
    let chapters = CHAPTERS
        .iter()
        .map(|&(s, t)| NavEntry {
            slug: s,
            title: t,
            current: s == slug,
        })
        .collect();
    Ok(render(&ChapterPage {
        ctx: PageCtx::signed_in(&auth),
        title,
        chapters,
        body: to_html(&markdown),
    }))
}

/// A screenshot of the guide; only plain file names under `img/` are served.
async fn image(_auth: Signed, Path(file): Path<String>) -> Result<Response, WebError> {
    let plain = !file.is_empty()
        && !file.starts_with('.')
        && file
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let mime = match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("svg") => "image/svg+xml",
        _ => "",
    };
    match Guide::get(&format!("img/{file}")) {
        Some(image) if plain && !mime.is_empty() => Ok((
            [
                (header::CONTENT_TYPE, mime),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            image.data,
        )
            .into_response()),
        _ => Err(WebError::NotFound(format!("帮助图片 {file}"))),
    }
}

/// Where a link or image written for the files on disk points inside the app: `office.md#x` →
/// `/help/office#x`, `img/a.png` → `/help/img/a.png`; anything else is left as written.
fn app_path(dest: &str) -> Option<String> {
    if dest.contains("://") || dest.starts_with('/') || dest.starts_with('#') {
        return None;
    }
    if let Some(file) = dest.strip_prefix("img/") {
        return Some(format!("/help/img/{file}"));
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, format!("#{a}")),
        None => (dest, String::new()),
    };
    let stem = path.strip_suffix(".md")?;
    CHAPTERS
        .iter()
        .any(|(s, _)| *s == stem)
        .then(|| format!("/help/{stem}{anchor}"))
}

/// The guide's Markdown as HTML: tables on, raw HTML shown as the text it is, links between
/// chapters and to images rewritten for the app.
pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: rewrite(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: rewrite(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

fn rewrite(dest: CowStr<'_>) -> CowStr<'_> {
    match app_path(&dest) {
        Some(path) => CowStr::from(path),
        None => dest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_between_chapters_and_images_point_into_the_app() {
        let html = to_html(
            "[办公室](office.md#review) ![工作台](img/office-home.png) [外](https://x.cn/a.md)",
        );
        assert!(html.contains(r#"href="/help/office#review""#), "{html}");
        assert!(
            html.contains(r#"src="/help/img/office-home.png""#),
            "{html}"
        );
        assert!(html.contains(r#"href="https://x.cn/a.md""#), "{html}");
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = to_html("a <script>alert(1)</script> b\n\n<div onclick=x>c</div>\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn tables_render_as_tables() {
        let html = to_html("| 角色 | 章节 |\n|---|---|\n| 企业 | 企业 |\n");
        assert!(html.contains("<table>"), "{html}");
    }

    #[test]
    fn each_role_opens_its_own_chapter() {
        assert_eq!(chapter_for(Role::Admin, None), "office");
        assert_eq!(chapter_for(Role::Leader, None), "leader");
        assert_eq!(chapter_for(Role::Enterprise, None), "enterprise");
        assert_eq!(chapter_for(Role::Unit, Some(UnitKind::Town)), "town");
        assert_eq!(chapter_for(Role::Unit, Some(UnitKind::Department)), "unit");
    }
}
