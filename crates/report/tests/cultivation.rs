//! The bulletin's 企业培育情况 paragraph: in the text, the HTML and the .docx when the county
//! keeps a library; nothing at all (no heading) when it does not.

use qx_report::{CultivationSummary, docx, html, sample, text};
use std::io::{Cursor, Read};

fn document_xml(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}

#[test]
fn the_cultivation_paragraph_is_in_every_rendering_only_with_a_library() {
    let mut s = sample();
    assert!(!text::plain(&s).contains("企业培育情况"));
    s.cultivation = Some(CultivationSummary {
        active: 126,
        entered: 40,
        exited: 3,
        reached: vec![("新增规上企业".into(), 12), ("个转企".into(), 35)],
    });
    let sentence = "截至6月底，企业培育库在库企业126家；今年以来新增规上企业12家、个转企35家；今年入库40家，出库3家。";
    let plain = text::plain(&s);
    assert!(plain.contains("企业培育情况"), "{plain}");
    assert!(plain.contains(sentence), "{plain}");
    assert!(html::fragment(&s).contains(sentence));
    assert!(document_xml(&docx::render(&s).unwrap()).contains(sentence));

    // Nothing reached yet: the counts only.
    s.cultivation.as_mut().unwrap().reached.clear();
    assert!(
        text::plain(&s).contains("截至6月底，企业培育库在库企业126家；今年入库40家，出库3家。")
    );
}
