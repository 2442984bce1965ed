//! Putting a rendered [`Site`] on disk, as the one packet in its folder
//! ([`PacketFolder`]: built beside it, swapped in whole). The audio the pages
//! refer to is decoded from the recordings, beeped over where personal data was
//! spoken, and written as 16 kHz WAV (whole calls keep their channels; clips are
//! mono). A recording that cannot be decoded costs only its own audio: the pages
//! say the file is missing, the report counts it.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::folder::{MARKER, Marker, PacketFolder};
use super::{AudioFile, PacketError, Site};
use crate::audio::{self, Audio, AudioLimits, SAMPLE_RATE};
use crate::redact::{self, TimeSpan};

/// What [`write`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriteReport {
    pub pages: usize,
    pub audio_files: usize,
    /// Audio files that could not be made, with the reason.
    pub audio_failures: Vec<(String, String)>,
    /// The packet that was in the folder before and is gone now.
    pub replaced: Option<Marker>,
    /// Temporary folders of interrupted packets that were removed.
    pub swept: usize,
}

/// Writes `site` as the packet in `out_dir`, replacing the packet already there.
pub fn write(site: &Site, out_dir: &Path) -> Result<WriteReport, PacketError> {
    let folder = PacketFolder::open(out_dir)?;
    // Removed with everything in it if anything below fails.
    let staging = folder.staging()?;
    let mut report = WriteReport {
        swept: folder.swept,
        ..WriteReport::default()
    };
    let files = write_site(site, staging.path(), &mut report)?;
    put(
        &staging.path().join(MARKER),
        &Marker::new(site.redacted, files).to_bytes(),
    )?;
    sync_all(staging.path())?;
    report.replaced = folder.replace_with(staging)?;
    Ok(report)
}

/// Writes the pages and the audio under `dir`; returns every file written.
fn write_site(
    site: &Site,
    dir: &Path,
    report: &mut WriteReport,
) -> Result<Vec<String>, PacketError> {
    let mut files = Vec::new();
    for page in &site.pages {
        put(&dir.join(&page.path), page.html.as_bytes())?;
        files.push(page.path.clone());
        report.pages += 1;
    }
    // Several clips come from one recording: each recording is decoded once, by
    // one of a few threads (a night has a thousand recordings to cut clips from).
    let mut by_source: HashMap<&Path, Vec<&AudioFile>> = HashMap::new();
    for file in &site.audio {
        by_source
            .entry(file.source.as_path())
            .or_default()
            .push(file);
    }
    let sources: Vec<(&Path, Vec<&AudioFile>)> = by_source.into_iter().collect();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(sources.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let written: Vec<Result<Vec<AudioWritten>, PacketError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    while let Some((source, files)) =
                        sources.get(next.fetch_add(1, Ordering::Relaxed))
                    {
                        done.extend(write_audio(source, files, dir)?);
                    }
                    Ok(done)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a packet audio thread panicked"))
            .collect()
    });
    for result in written {
        for (path, outcome) in result? {
            match outcome {
                Ok(()) => {
                    files.push(path);
                    report.audio_files += 1;
                }
                Err(reason) => report.audio_failures.push((path, reason)),
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Writes one file of the staging folder. No reader sees the folder until it is
/// complete and synced ([`sync_all`]) and swapped in whole, so each file needs no
/// temporary name and fsync of its own (a night's packet has thousands).
fn put(path: &Path, bytes: &[u8]) -> Result<(), PacketError> {
    let err = |source| PacketError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    std::fs::write(path, bytes).map_err(err)
}

/// Puts everything written under `dir` on disk before the folder is swapped in:
/// one `syncfs` of its file system instead of an fsync per file.
fn sync_all(dir: &Path) -> Result<(), PacketError> {
    let err = |source| PacketError::Write {
        path: dir.to_path_buf(),
        source,
    };
    let handle = std::fs::File::open(dir).map_err(err)?;
    // SAFETY: syncfs only reads the descriptor, which `handle` keeps open.
    let rc = unsafe { libc::syncfs(std::os::fd::AsRawFd::as_raw_fd(&handle)) };
    if rc != 0 {
        return Err(err(std::io::Error::last_os_error()));
    }
    Ok(())
}

/// A packet audio file's path, and whether it was written (or why not).
type AudioWritten = (String, Result<(), String>);

/// Writes the audio `files` cut from `source` under `dir`. A recording that
/// cannot be decoded costs only its own files; failing to write one stops all.
fn write_audio(
    source: &Path,
    files: &[&AudioFile],
    dir: &Path,
) -> Result<Vec<AudioWritten>, PacketError> {
    match decode_for(source, files) {
        Ok(wavs) => files
            .iter()
            .zip(wavs)
            .map(|(file, wav)| {
                put(&dir.join(&file.path), &wav)?;
                Ok((file.path.clone(), Ok(())))
            })
            .collect(),
        Err(e) => {
            tracing::warn!("packet audio from {}: {e}", source.display());
            Ok(files
                .iter()
                .map(|f| (f.path.clone(), Err(e.to_string())))
                .collect())
        }
    }
}

/// The WAVs of `files`, all from `source`, in their order. Clips alone are read
/// span by span (a night's packet cuts a few seconds out of every call); a whole
/// call decodes the recording once for all its files.
fn decode_for(source: &Path, files: &[&AudioFile]) -> Result<Vec<Vec<u8>>, audio::AudioError> {
    let limits = AudioLimits::default();
    let clips: Option<Vec<TimeSpan>> = files.iter().map(|f| f.clip).collect();
    match clips {
        Some(clips) => {
            let spans: Vec<(f64, f64)> = clips.iter().map(|c| (c.start, c.end)).collect();
            let cut = audio::load_spans(source, &limits, &spans)?;
            Ok(files
                .iter()
                .zip(cut)
                .map(|(file, channels)| wav_bytes(&channels, file))
                .collect())
        }
        None => {
            let decoded = audio::load(source, &limits)?;
            Ok(files
                .iter()
                .map(|file| wav_bytes(&cut(&decoded, file.clip), file))
                .collect())
        }
    }
}

/// The channels of `clip` (all of them without one).
fn cut(decoded: &Audio, clip: Option<TimeSpan>) -> Vec<Vec<f32>> {
    let Some(clip) = clip else {
        return decoded.channels.clone();
    };
    let rate = f64::from(SAMPLE_RATE);
    decoded
        .channels
        .iter()
        .map(|samples| {
            let from = ((clip.start * rate) as usize).min(samples.len());
            let to = ((clip.end * rate) as usize).clamp(from, samples.len());
            samples[from..to].to_vec()
        })
        .collect()
}

/// The WAV of one file from its audio (`channels`: the clip's span, or the
/// whole call): a clip is mixed to mono; muted spans beep.
fn wav_bytes(channels: &[Vec<f32>], file: &AudioFile) -> Vec<u8> {
    let mut channels: Vec<Vec<f32>> = match file.clip {
        None => channels.to_vec(),
        Some(_) => {
            let cut: Vec<&[f32]> = channels.iter().map(Vec::as_slice).collect();
            vec![mono(&cut)]
        }
    };
    let offset = file.clip.map_or(0.0, |c| c.start);
    for samples in &mut channels {
        let spans: Vec<redact::TimeSpan> = file
            .mute
            .iter()
            .map(|s| redact::TimeSpan {
                start: s.start - offset,
                end: s.end - offset,
            })
            .collect();
        redact::mute(
            samples,
            &spans
                .iter()
                .filter(|s| s.end > 0.0)
                .copied()
                .collect::<Vec<_>>(),
        );
    }
    encode(&channels)
}

fn mono(channels: &[&[f32]]) -> Vec<f32> {
    let len = channels.iter().map(|c| c.len()).max().unwrap_or(0);
    let n = channels.len().max(1) as f32;
    (0..len)
        .map(|i| channels.iter().filter_map(|c| c.get(i)).sum::<f32>() / n)
        .collect()
}

/// 16-bit PCM at [`SAMPLE_RATE`], channels interleaved.
fn encode(channels: &[Vec<f32>]) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels: channels.len().max(1) as u16,
        sample_rate: SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut bytes = Cursor::new(Vec::new());
    let len = channels.iter().map(Vec::len).max().unwrap_or(0);
    // Writing to memory cannot fail for I/O reasons; hound only fails on a WAV over
    // 4 GiB, which the audio limits (6 h of 16 kHz stereo) stay below.
    if let Ok(mut writer) = hound::WavWriter::new(&mut bytes, spec) {
        for i in 0..len {
            for c in channels {
                let s = c.get(i).copied().unwrap_or(0.0).clamp(-1.0, 1.0);
                let _ = writer.write_sample((s * f32::from(i16::MAX)) as i16);
            }
        }
        let _ = writer.finalize();
    }
    bytes.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::SourceInfo;
    use crate::redact::TimeSpan;

    fn decoded() -> Audio {
        let n = 4 * SAMPLE_RATE as usize;
        Audio {
            info: SourceInfo {
                path: "x.wav".into(),
                format: "wav".into(),
                sample_rate: SAMPLE_RATE,
                channels: 2,
                duration: 4.0,
            },
            channels: vec![vec![0.5; n], vec![-0.25; n]],
        }
    }

    fn read(bytes: Vec<u8>) -> (hound::WavSpec, Vec<i16>) {
        let reader = hound::WavReader::new(Cursor::new(bytes)).unwrap();
        let spec = reader.spec();
        (spec, reader.into_samples().map(Result::unwrap).collect())
    }

    #[test]
    fn whole_call_keeps_channels_and_beeps_over_muted_span() {
        let file = AudioFile {
            path: "a.wav".into(),
            source: "x.wav".into(),
            mute: vec![TimeSpan {
                start: 1.0,
                end: 2.0,
            }],
            clip: None,
        };
        let (spec, samples) = read(wav_bytes(&cut(&decoded(), file.clip), &file));
        assert_eq!((spec.channels, spec.sample_rate), (2, SAMPLE_RATE));
        assert_eq!(samples.len(), 2 * 4 * SAMPLE_RATE as usize);
        let at = |t: f64, ch: usize| samples[2 * (t * f64::from(SAMPLE_RATE)) as usize + ch];
        assert_eq!(at(0.5, 0), (0.5 * 32767.0) as i16);
        assert!(
            at(1.5, 0).abs() < 2000 && at(1.5, 1).abs() < 2000,
            "muted on both channels"
        );
        assert_eq!(at(3.0, 1), (-0.25 * 32767.0) as i16);
    }

    #[test]
    fn clip_is_mono_cut_and_muted_in_clip_time() {
        let file = AudioFile {
            path: "c.wav".into(),
            source: "x.wav".into(),
            mute: vec![TimeSpan {
                start: 2.5,
                end: 3.0,
            }],
            clip: Some(TimeSpan {
                start: 2.0,
                end: 3.5,
            }),
        };
        let (spec, samples) = read(wav_bytes(&cut(&decoded(), file.clip), &file));
        assert_eq!(spec.channels, 1);
        assert_eq!(samples.len(), (1.5 * f64::from(SAMPLE_RATE)) as usize);
        assert_eq!(samples[100], (0.125 * 32767.0) as i16);
        let muted = &samples[9_000..15_000];
        assert!(muted.iter().all(|s| s.abs() < 2000));
    }
}
