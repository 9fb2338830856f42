//! Pieces shared by pages: the app frame and its brand colour, the role gate, form fields and the
//! language switcher.
pub mod brand;
pub mod form;
pub mod guard;
pub mod layout;
pub mod locale_switcher;
