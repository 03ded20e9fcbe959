//! Just enough PNG reading to size a logo, so that neither renderer is handed bytes it would choke on.

use crate::RenderError;

const SIGNATURE: [u8; 8] = [137, 80, 78, 71, 13, 10, 26, 10];
/// Larger than any sensible logo; keeps the layout arithmetic far from overflow.
const MAX_SIDE: u32 = 20_000;

/// The width and height in pixels from a PNG's header, or why the bytes are not a usable PNG.
pub(crate) fn dimensions(bytes: &[u8]) -> Result<(u32, u32), RenderError> {
    if bytes.len() < 24 || bytes[..8] != SIGNATURE || &bytes[12..16] != b"IHDR" {
        return Err(RenderError::InvalidLogo("no PNG header"));
    }
    let read =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let (width, height) = (read(16), read(20));
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(RenderError::InvalidLogo("its size is zero or too large"));
    }
    Ok((width, height))
}
