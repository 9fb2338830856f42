//! Pieces shared by pages: the app frame, the role gate, form fields and the language switcher.
pub mod form;
pub mod guard;
pub mod layout;
pub mod locale_switcher;
