//! The dashboard's rendered body, kept per cached picture and language.

use super::*;

/// Rendered dashboard bodies, one per (picture, language).
///
/// Rendering a county's dashboard (500 rows, each with an SVG sparkline) costs several
/// milliseconds of CPU, far more than serving it; with the picture cached, that rendering was
/// most of every request. An entry is tied to the very `Arc<Picture>` it was rendered from, so
/// it lives exactly as long as the picture stays current in [`PictureCache`]: the first request
/// after any change gets a new picture and renders once; concurrent requests for the same
/// picture wait for that one rendering. A rendering that fails is not kept: the request
/// answers 500 and the next one renders again.
///
/// [`PictureCache`]: qx_app::monitoring::PictureCache
#[derive(Default)]
pub struct RenderedDashboards {
    entries: Mutex<VecDeque<RenderedEntry>>,
}

struct RenderedEntry {
    picture: Arc<Picture>,
    lang: Lang,
    html: Arc<Mutex<Option<Arc<str>>>>,
}

/// Pictures (plans × periods × languages) whose rendering is kept; the oldest goes first.
pub(super) const RENDERED_SLOTS: usize = 16;

impl std::fmt::Debug for RenderedDashboards {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderedDashboards").finish_non_exhaustive()
    }
}

impl RenderedDashboards {
    /// The body for `picture` in `lang`, rendering it with `render` only if no request has
    /// (successfully).
    pub(super) fn get_or_render(
        &self,
        picture: &Arc<Picture>,
        lang: Lang,
        render: impl FnOnce() -> Result<String, askama::Error>,
    ) -> Result<Arc<str>, askama::Error> {
        let cell = {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            match entries
                .iter()
                .find(|e| e.lang == lang && Arc::ptr_eq(&e.picture, picture))
            {
                Some(e) => e.html.clone(),
                None => {
                    // A picture replaced in the cache is never asked for again: drop its
                    // renderings at once rather than waiting for them to age out.
                    entries.retain(|e| Arc::strong_count(&e.picture) > 1);
                    if entries.len() >= RENDERED_SLOTS {
                        entries.pop_front();
                    }
                    let html = Arc::new(Mutex::new(None));
                    entries.push_back(RenderedEntry {
                        picture: picture.clone(),
                        lang,
                        html: html.clone(),
                    });
                    html
                }
            }
        };
        // Held while rendering, so concurrent requests for this picture wait for one.
        let mut html = cell.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(done) = html.as_ref() {
            return Ok(done.clone());
        }
        let done: Arc<str> = Arc::from(render()?);
        *html = Some(done.clone());
        Ok(done)
    }

    /// How many renderings are held (for tests).
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qx_core::state::PlanStatus;

    fn picture() -> Arc<Picture> {
        let plan = Plan {
            id: 1,
            year: 2017,
            title: "方案".into(),
            doc_number: String::new(),
            issuer: String::new(),
            issued_on: None,
            status: PlanStatus::Published,
            source_name: String::new(),
            source_format: String::new(),
            created_at: 0,
            published_at: None,
        };
        Arc::new(Picture {
            plan,
            period: "2017-06".parse().unwrap(),
            indicators: Vec::new(),
            tasks: Vec::new(),
            units: Vec::new(),
        })
    }

    #[test]
    fn a_failed_rendering_is_not_kept_and_the_next_request_renders_again() {
        let cache = RenderedDashboards::default();
        let pic = picture();
        let failed = cache.get_or_render(&pic, Lang::Zh, || Err(askama::Error::Fmt));
        assert!(failed.is_err(), "the failure reaches the handler");
        let body = cache
            .get_or_render(&pic, Lang::Zh, || Ok("<p>body</p>".into()))
            .unwrap();
        assert_eq!(&*body, "<p>body</p>", "rendered again, not an empty page");
        let kept = cache
            .get_or_render(&pic, Lang::Zh, || panic!("a kept rendering is not redone"))
            .unwrap();
        assert_eq!(&*kept, "<p>body</p>");
    }
}
