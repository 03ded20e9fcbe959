//! The HTML preview and the plain-text email body.
#![allow(clippy::unwrap_used)]

mod common;

use common::{HOSTILE, LOGO, sample};
use redress_letters::{Block, render_html, render_text};

#[test]
fn the_preview_escapes_everything() {
    let mut letter = sample();
    letter.title = "<script>alert('x')</script>".into();
    letter.sections[0].blocks.push(Block::Paragraph(
        "<img src=x onerror=alert(1)> & \"quoted\"".into(),
    ));
    letter.letterhead.logo_png = Some(LOGO.to_vec());
    let html = render_html(&letter);
    assert!(
        !html.contains("<script>") && !html.contains("<img") && !html.contains("<b>"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot;"));
    assert!(html.contains("#panic(&quot;x&quot;) [evil]"));
    assert!(
        !html.contains("src=\"") && !html.contains("href="),
        "no external resources"
    );
}

#[test]
fn the_preview_has_the_structure() {
    let html = render_html(&sample());
    assert!(html.starts_with("<article class=\"letter\">"));
    assert!(html.contains("<h2 class=\"letter-title\">Stage 1 response to your complaint</h2>"));
    assert!(html.contains("<h3 class=\"letter-heading\">Our decision</h3>"));
    assert!(html.contains("<thead><tr><th>Element</th><th>Decision</th></tr></thead>"));
    assert!(html.contains("<td>Not upheld</td>"));
    assert!(html.contains("<li class=\"letter-item\">Nobody came for 3 weeks.</li>"));
    assert!(html.contains("<dd>CMP-2026-0042</dd>"));
}

#[test]
fn the_email_body_is_plain_text() {
    let text = render_text(&sample());
    assert!(text.starts_with("Date: 3 December 2026\nOur reference: CMP-2026-0042\n"));
    for expected in [
        "Stage 1 response to your complaint\n",
        "Dear Ms Example,\n",
        "Our decision\n\nElement | Decision\nRepair delay | Upheld\nStaff attitude | Not upheld\n",
        "- Nobody came for 3 weeks.\n",
        "Yours sincerely,\n\nPat Officer\nComplaints Officer\n",
        "complaints@northfield.example\n",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} is missing from {text}"
        );
    }
    assert!(
        !text.contains(HOSTILE),
        "the address block is not in the email body"
    );
}

#[test]
fn newlines_in_a_paragraph_are_line_breaks_in_the_preview() {
    let mut letter = sample();
    letter.sections[0].blocks = vec![Block::Paragraph("one\ntwo <3".into())];
    assert!(render_html(&letter).contains("<p class=\"letter-paragraph\">one<br>\ntwo &lt;3</p>"));
}

#[test]
fn empty_letters_render() {
    let empty = redress_letters::PrintableLetter::default();
    assert!(render_text(&empty).contains("Date: \n"));
    assert!(render_html(&empty).ends_with("</article>\n"));
}
