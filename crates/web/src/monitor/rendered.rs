//! The dashboard's rendered body, kept per cached picture and language.

use super::*;

/// Rendered dashboard bodies, one per (picture, language).
///
/// Rendering a county's dashboard (500 rows, each with an SVG sparkline) costs several
/// milliseconds of CPU, far more than serving it; with the picture cached, that rendering was
/// most of every request. An entry is tied to the very `Arc<Picture>` it was rendered from, so
/// it lives exactly as long as the picture stays current in [`PictureCache`]: the first request
/// after any change gets a new picture and renders once; concurrent requests for the same
/// picture wait for that one rendering.
///
/// [`PictureCache`]: qx_app::monitoring::PictureCache
#[derive(Default)]
pub struct RenderedDashboards {
    entries: Mutex<VecDeque<RenderedEntry>>,
}

struct RenderedEntry {
    picture: Arc<Picture>,
    lang: Lang,
    html: Arc<OnceLock<Arc<str>>>,
}

/// Pictures (plans × periods × languages) whose rendering is kept; the oldest goes first.
pub(super) const RENDERED_SLOTS: usize = 16;

impl std::fmt::Debug for RenderedDashboards {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderedDashboards").finish_non_exhaustive()
    }
}

impl RenderedDashboards {
    /// The body for `picture` in `lang`, rendering it with `render` only if no request has.
    pub(super) fn get_or_render(
        &self,
        picture: &Arc<Picture>,
        lang: Lang,
        render: impl FnOnce() -> String,
    ) -> Arc<str> {
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
                    let html = Arc::new(OnceLock::new());
                    entries.push_back(RenderedEntry {
                        picture: picture.clone(),
                        lang,
                        html: html.clone(),
                    });
                    html
                }
            }
        };
        cell.get_or_init(|| Arc::from(render())).clone()
    }

    /// How many renderings are held (for tests).
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
