//! A small binding of our own to libvoikko (MPL 1.1 / GPL 2+ / LGPL 2.1+), loaded
//! at run time with `libloading`, so kuulas neither links against it nor needs it
//! to build: Debian's `libvoikko1` with the `voikko-fi` dictionary gives Finnish
//! morphological analysis (lemma, class, person, number, tense, mood, participle).
//!
//! Only the functions libvoikko 4 exports are used: `voikkoInit`,
//! `voikkoAnalyzeWordCstr`, `voikko_mor_analysis_value_cstr` (the exported name of
//! what `voikko.h` calls `voikkoGetAnalysisValueCstr`), its free function,
//! `voikko_free_mor_analysis` (`voikkoFreeMorAnalysis`) and `voikkoTerminate`.
//! A handle is not thread-safe: [`Voikko`] keeps it behind a mutex.

use std::ffi::{CStr, CString, c_char, c_void};
use std::sync::Mutex;

use libloading::Library;

use crate::finnish::forms::Analysis;

/// The library names tried, in order.
const LIBRARIES: &[&str] = &["libvoikko.so.1", "libvoikko.so", "libvoikko.1.dylib"];

/// Why Voikko could not be used.
#[derive(Debug, thiserror::Error)]
pub enum VoikkoError {
    #[error(
        "libvoikko could not be loaded ({reason}); install libvoikko1 and voikko-fi (scripts/setup.sh)"
    )]
    Library { reason: String },
    #[error("libvoikko has no `{symbol}` ({reason}); libvoikko 4 or later is needed")]
    Symbol { symbol: String, reason: String },
    #[error(
        "libvoikko found no Finnish dictionary ({reason}); install voikko-fi (scripts/setup.sh)"
    )]
    Dictionary { reason: String },
}

type InitFn = unsafe extern "C" fn(*mut *const c_char, *const c_char, *const c_char) -> *mut c_void;
type AnalyzeFn = unsafe extern "C" fn(*mut c_void, *const c_char) -> *mut *mut c_void;
type ValueFn = unsafe extern "C" fn(*const c_void, *const c_char) -> *mut c_char;
type FreeValueFn = unsafe extern "C" fn(*mut c_char);
type FreeListFn = unsafe extern "C" fn(*mut *mut c_void);
type TerminateFn = unsafe extern "C" fn(*mut c_void);

/// The functions used, resolved once.
struct Api {
    analyze: AnalyzeFn,
    value: ValueFn,
    free_value: FreeValueFn,
    free_list: FreeListFn,
    terminate: TerminateFn,
}

/// An initialised Voikko handle for Finnish.
pub struct Voikko {
    api: Api,
    handle: Mutex<Handle>,
    /// Keeps the functions above valid; dropped after the handle is terminated.
    _library: Library,
}

/// The raw handle; only used with the mutex held.
struct Handle(*mut c_void);

// SAFETY: libvoikko handles may be used from any thread, one call at a time; the
// mutex around `Handle` serialises every call.
unsafe impl Send for Handle {}

/// Analysis attributes read from each analysis, in [`Analysis::from_voikko`]'s order.
pub const KEYS: &[&CStr] = &[
    c"BASEFORM",
    c"CLASS",
    c"PERSON",
    c"NUMBER",
    c"TENSE",
    c"MOOD",
    c"PARTICIPLE",
    c"NEGATIVE",
];

impl Voikko {
    /// Loads libvoikko (from `path`, or by its usual names) and opens its
    /// Finnish dictionary.
    pub fn load(path: Option<&str>) -> Result<Voikko, VoikkoError> {
        let names = path.map_or(LIBRARIES.to_vec(), |p| vec![p]);
        let library = names
            .iter()
            // SAFETY: loading libvoikko runs only its own initialisers.
            .find_map(|name| unsafe { Library::new(name) }.ok())
            .ok_or_else(|| VoikkoError::Library {
                reason: format!("none of {} found", names.join(", ")),
            })?;
        // SAFETY: the signatures are libvoikko 4's (voikko.h).
        let (init, api) = unsafe {
            (
                symbol::<InitFn>(&library, "voikkoInit")?,
                Api {
                    analyze: symbol(&library, "voikkoAnalyzeWordCstr")?,
                    value: symbol(&library, "voikko_mor_analysis_value_cstr")?,
                    free_value: symbol(&library, "voikko_free_mor_analysis_value_cstr")?,
                    free_list: symbol(&library, "voikko_free_mor_analysis")?,
                    terminate: symbol(&library, "voikkoTerminate")?,
                },
            )
        };
        let mut error: *const c_char = std::ptr::null();
        // SAFETY: `error` is a valid out-pointer; a null path means the default paths.
        let handle = unsafe { init(&mut error, c"fi".as_ptr(), std::ptr::null()) };
        if handle.is_null() {
            let reason = if error.is_null() {
                "no reason given".to_string()
            } else {
                // SAFETY: on failure libvoikko points `error` at a static message.
                unsafe { CStr::from_ptr(error) }
                    .to_string_lossy()
                    .into_owned()
            };
            return Err(VoikkoError::Dictionary { reason });
        }
        Ok(Voikko {
            api,
            handle: Mutex::new(Handle(handle)),
            _library: library,
        })
    }

    /// Every analysis Voikko gives `word` (lower-case); empty when it does not know it.
    pub fn analyse(&self, word: &str) -> Vec<Analysis> {
        let Ok(word) = CString::new(word) else {
            return Vec::new();
        };
        let Ok(handle) = self.handle.lock() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        // SAFETY: the handle is live (terminated only on drop) and used under the
        // mutex; the list is null-terminated and freed once, after its values
        // were copied and each value freed.
        unsafe {
            let list = (self.api.analyze)(handle.0, word.as_ptr());
            if list.is_null() {
                return out;
            }
            let mut i = 0;
            while !(*list.add(i)).is_null() {
                let analysis = *list.add(i);
                let value = |key: &CStr| {
                    let v = (self.api.value)(analysis, key.as_ptr());
                    if v.is_null() {
                        return String::new();
                    }
                    let s = CStr::from_ptr(v).to_string_lossy().into_owned();
                    (self.api.free_value)(v);
                    s
                };
                let values: [String; KEYS.len()] = std::array::from_fn(|k| value(KEYS[k]));
                let reading = Analysis::from_voikko(&values);
                if let Some(verb) = reading.participle_verb(|| value(c"WORDBASES")) {
                    out.push(verb);
                }
                out.push(reading);
                i += 1;
            }
            (self.api.free_list)(list);
        }
        out
    }
}

impl Drop for Voikko {
    fn drop(&mut self) {
        if let Ok(handle) = self.handle.get_mut() {
            // SAFETY: the handle came from voikkoInit and is terminated once.
            unsafe { (self.api.terminate)(handle.0) };
        }
    }
}

/// # Safety
/// `T` must be the symbol's true function type.
unsafe fn symbol<T: Copy>(library: &Library, name: &str) -> Result<T, VoikkoError> {
    // SAFETY: the caller vouches for the type.
    unsafe { library.get::<T>(name.as_bytes()) }
        .map(|s| *s)
        .map_err(|e| VoikkoError::Symbol {
            symbol: name.to_string(),
            reason: e.to_string(),
        })
}
