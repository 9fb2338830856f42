//! The company's colour in the app frame. Pages use it through the `--brand` CSS variable (see
//! `style/main.css`); it is set through the CSS object model once the page is interactive,
//! because the Content-Security-Policy allows no inline styles.

/// `#rrggbb`, the one form the company settings accept.
pub fn is_hex_colour(value: &str) -> bool {
    value.len() == 7 && value.starts_with('#') && value[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// Paints the frame with `colour`, or back in the default one for `None` or anything else.
pub fn apply(colour: Option<&str>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let root = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(root) = root {
            let style = root.style();
            let _ = match colour.filter(|c| is_hex_colour(c)) {
                Some(c) => style.set_property("--brand", c),
                None => style.remove_property("--brand").map(|_| ()),
            };
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = colour;
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_six_digit_hex_colours() {
        assert!(super::is_hex_colour("#4f46E5"));
        assert!(!super::is_hex_colour("4f46e5"));
        assert!(!super::is_hex_colour("#4f46e"));
        assert!(!super::is_hex_colour("#4f46eg"));
        assert!(!super::is_hex_colour("red;x:y"));
    }
}
