//! Every wire decoder on arbitrary bytes: a message or a typed error, never a panic;
//! a decoded message survives encode → decode unchanged.
#![no_main]

use leadguard_protocol::{PullResponse, PushRequest, PushResponse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = PushRequest::decode(data) {
        assert_eq!(PushRequest::decode(&m.encode()).as_ref(), Ok(&m));
    }
    if let Ok(m) = PushResponse::decode(data) {
        assert_eq!(PushResponse::decode(&m.encode()).as_ref(), Ok(&m));
    }
    if let Ok(m) = PullResponse::decode(data) {
        assert_eq!(PullResponse::decode(&m.encode()).as_ref(), Ok(&m));
    }
    if let Ok(m) = PullResponse::decode_compact(data) {
        assert_eq!(PullResponse::decode_compact(&m.encode_compact()).as_ref(), Ok(&m));
    }
});
