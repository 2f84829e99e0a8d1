//! Strings across the boundary: [`rp_buf`] (owned by the caller, freed
//! with [`rp_buf_free`]) and [`rp_str`] (borrowed from a handle).

use std::ffi::c_char;

/// An owned string the library hands out (a decision, a digest, an error
/// as JSON): `len` bytes of UTF-8 at `data`, followed by a NUL that is not
/// counted in `len` (a convenience for C; the text itself may, in theory,
/// contain NUL bytes, so prefer `len`).
///
/// Free it with `rp_buf_free` exactly once; do not change `data` or `len`
/// before that. An empty `rp_buf` (`data == NULL`) owns nothing.
#[repr(C)]
#[derive(Debug)]
pub struct rp_buf {
    /// The bytes, NUL-terminated; NULL when the buffer is empty.
    pub data: *mut c_char,
    /// Length in bytes, without the terminating NUL.
    pub len: usize,
}

impl rp_buf {
    /// A buffer owning a copy of `text` plus a NUL.
    pub(crate) fn from_string(text: String) -> rp_buf {
        let mut bytes = text.into_bytes();
        let len = bytes.len();
        bytes.push(0);
        let data = Box::into_raw(bytes.into_boxed_slice()).cast::<c_char>();
        rp_buf { data, len }
    }
}

/// Free a buffer's bytes and reset it to empty (`data = NULL`, `len = 0`),
/// so a second call is harmless. NULL, or an empty buffer, is a no-op.
///
/// # Safety
/// `buf` is NULL or points to an `rp_buf` the library filled and that has
/// not been freed since (or was reset by this function).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_buf_free(buf: *mut rp_buf) {
    crate::boundary::catch(
        |_| (),
        || {
            if buf.is_null() {
                return;
            }
            // SAFETY: `buf` is not NULL and points to an `rp_buf` (caller's
            // contract).
            let b = unsafe { &mut *buf };
            if b.data.is_null() {
                return;
            }
            let slice = std::ptr::slice_from_raw_parts_mut(b.data.cast::<u8>(), b.len + 1);
            // SAFETY: `data`/`len` were made by `rp_buf::from_string` from a
            // boxed slice of `len + 1` bytes, not freed since (contract).
            drop(unsafe { Box::from_raw(slice) });
            b.data = std::ptr::null_mut();
            b.len = 0;
        },
    )
}

/// A string borrowed from a handle (an `rp_error`'s message, file, …):
/// `len` bytes of UTF-8 at `data`, NUL-terminated as a convenience. Valid
/// until the handle is freed; never free it. `data` is NULL (and `len` 0)
/// when there is no such string.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct rp_str {
    /// The bytes, NUL-terminated; NULL when absent.
    pub data: *const c_char,
    /// Length in bytes, without the terminating NUL.
    pub len: usize,
}

impl rp_str {
    pub(crate) const ABSENT: rp_str = rp_str {
        data: std::ptr::null(),
        len: 0,
    };
}

/// An owned string with a NUL after it, to hand out as an [`rp_str`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NulString(String);

impl NulString {
    pub(crate) fn new(text: impl Into<String>) -> Self {
        let mut s = text.into();
        s.push('\0');
        NulString(s)
    }

    /// The text, without the NUL.
    pub(crate) fn as_str(&self) -> &str {
        self.0.strip_suffix('\0').unwrap_or(&self.0)
    }

    pub(crate) fn as_rp_str(&self) -> rp_str {
        rp_str {
            data: self.0.as_ptr().cast(),
            len: self.0.len() - 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buf_is_nul_terminated_and_free_resets_it() {
        let mut b = rp_buf::from_string("héllo".into());
        assert_eq!(b.len, 6);
        // SAFETY: `data` points to `len + 1` bytes.
        let bytes = unsafe { std::slice::from_raw_parts(b.data.cast::<u8>(), b.len + 1) };
        assert_eq!(bytes, "héllo\0".as_bytes());
        // SAFETY: `b` was filled by the library and not freed.
        unsafe { rp_buf_free(&mut b) };
        assert!(b.data.is_null());
        assert_eq!(b.len, 0);
        // SAFETY: a reset buffer and NULL are no-ops.
        unsafe {
            rp_buf_free(&mut b);
            rp_buf_free(std::ptr::null_mut());
        }
    }

    #[test]
    fn an_empty_string_still_allocates_its_nul() {
        let mut b = rp_buf::from_string(String::new());
        assert!(!b.data.is_null());
        assert_eq!(b.len, 0);
        // SAFETY: filled by the library, not freed.
        unsafe { rp_buf_free(&mut b) };
    }

    #[test]
    fn nul_strings_hand_out_their_text_without_the_nul() {
        let s = NulString::new("ab");
        assert_eq!(s.as_str(), "ab");
        let r = s.as_rp_str();
        assert_eq!(r.len, 2);
        // SAFETY: `data` points to `len + 1` bytes of `s`.
        let bytes = unsafe { std::slice::from_raw_parts(r.data.cast::<u8>(), 3) };
        assert_eq!(bytes, b"ab\0");
    }
}
