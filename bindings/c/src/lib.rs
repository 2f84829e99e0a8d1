//! C bindings (work in progress).
