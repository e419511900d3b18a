//! Markdown that agents write (knowledge-base articles), turned into HTML that is safe to put
//! in front of anyone: Markdown passes raw HTML through, so the result is sanitized after
//! rendering, never trusted because an agent wrote it.

use std::sync::LazyLock;

use pulldown_cmark::{html, Options, Parser};

/// ammonia's defaults keep formatting (headings, lists, links, code, tables, images) and drop
/// scripts, event handlers, `style` and any URL scheme but the harmless ones (no `javascript:`).
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    // Articles link out; the page they open must not get a handle on ours or learn its address.
    builder.link_rel(Some("noopener noreferrer"));
    builder
});

/// Renders Markdown (CommonMark with tables and strikethrough) to sanitized HTML.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut unsanitized = String::with_capacity(markdown.len() + markdown.len() / 2);
    html::push_html(&mut unsanitized, Parser::new_ext(markdown, options));
    SANITIZER.clean(&unsanitized).to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn keeps_headings_lists_links_code_and_tables() {
        let html = render(
            "## Resetting your password\n\n\
             1. Open **Settings**\n2. Choose *Security*\n\n\
             - one\n- ~~two~~\n\n\
             See [the guide](https://example.com/guide) or run `portico --help`.\n\n\
             ```\nlet x = 1 < 2;\n```\n\n\
             | Plan | Seats |\n|------|-------|\n| Pro | 5 |\n",
        );
        assert!(html.contains("<h2>Resetting your password</h2>"), "{html}");
        assert!(
            html.contains("<ol>\n<li>Open <strong>Settings</strong></li>"),
            "{html}"
        );
        assert!(html.contains("<em>Security</em>"), "{html}");
        assert!(
            html.contains("<ul>\n<li>one</li>\n<li><del>two</del></li>"),
            "{html}"
        );
        assert!(html.contains("<code>portico --help</code>"), "{html}");
        assert!(
            html.contains("<pre><code>let x = 1 &lt; 2;\n</code></pre>"),
            "{html}"
        );
        assert!(
            html.contains("<th>Plan</th>") && html.contains("<td>Pro</td>"),
            "{html}"
        );
        assert!(
            html.contains(
                "<a href=\"https://example.com/guide\" rel=\"noopener noreferrer\">the guide</a>"
            ),
            "{html}"
        );
    }

    #[test]
    fn strips_scripts_event_handlers_and_javascript_links() {
        let html = render(
            "# Hi\n\n<script>alert('owned')</script>\n\n\
             <img src=\"/x.png\" onerror=\"alert(1)\">\n\n\
             [click](javascript:alert(1)) and <a href=\"JaVaScRiPt:alert(2)\">raw</a>\n\n\
             <p style=\"position:fixed\" onclick=\"steal()\">styled</p>\n\n\
             <iframe src=\"https://evil.example\"></iframe>",
        );
        assert!(html.contains("<h1>Hi</h1>"), "{html}");
        for forbidden in [
            "<script",
            "alert('owned')",
            "onerror",
            "onclick",
            "javascript:",
            "JaVaScRiPt",
            "style=",
            "<iframe",
        ] {
            assert!(!html.contains(forbidden), "{forbidden} survived: {html}");
        }
        assert!(html.contains("click") && html.contains("raw") && html.contains("styled"));
        assert!(html.contains("<img src=\"/x.png\">"), "{html}");
    }

    #[test]
    fn escapes_text_that_looks_like_markup() {
        assert_eq!(
            render("Use `<b>` for bold & 1 < 2"),
            "<p>Use <code>&lt;b&gt;</code> for bold &amp; 1 &lt; 2</p>\n"
        );
    }
}
