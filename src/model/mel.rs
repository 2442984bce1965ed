//! The mel filterbank stored in a ggml Whisper file: librosa's `filters.mel` with
//! Slaney's mel scale and Slaney area normalisation, as OpenAI's Whisper uses it.
//!
//! Computed in f64 with the same operations, in the same order, as numpy/librosa,
//! then rounded to f32, so the bytes match a file converted by the Python tools.

/// Whisper's sample rate and FFT window; the number of mel bands comes from the model.
pub(crate) const SAMPLE_RATE: f64 = 16000.0;
pub(crate) const N_FFT: usize = 400;

const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1000.0;

fn log_step() -> f64 {
    6.4f64.ln() / 27.0
}

fn hz_to_mel(hz: f64) -> f64 {
    let min_log_mel = MIN_LOG_HZ / F_SP;
    if hz >= MIN_LOG_HZ {
        min_log_mel + (hz.max(1e-10) / MIN_LOG_HZ).ln() / log_step()
    } else {
        hz / F_SP
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    let min_log_mel = MIN_LOG_HZ / F_SP;
    if mel >= min_log_mel {
        MIN_LOG_HZ * (log_step() * (mel - min_log_mel)).exp()
    } else {
        F_SP * mel
    }
}

/// numpy's `linspace(start, stop, num)`: `i * step + start`, last point exactly `stop`.
fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let step = (stop - start) / (num - 1) as f64;
    let mut v: Vec<f64> = (0..num).map(|i| i as f64 * step + start).collect();
    v[num - 1] = stop;
    v
}

/// Row-major `[n_mels][n_fft / 2 + 1]` filter weights.
pub(crate) fn slaney_filterbank(n_mels: usize, n_fft: usize, sample_rate: f64) -> Vec<f32> {
    let n_bins = n_fft / 2 + 1;
    // numpy's rfftfreq: bin * (1 / (n * (1 / sr))).
    let bin_hz = 1.0 / (n_fft as f64 * (1.0 / sample_rate));
    let fft_freqs: Vec<f64> = (0..n_bins).map(|i| i as f64 * bin_hz).collect();
    let mel_f: Vec<f64> = linspace(hz_to_mel(0.0), hz_to_mel(sample_rate / 2.0), n_mels + 2)
        .into_iter()
        .map(mel_to_hz)
        .collect();
    let mut weights = Vec::with_capacity(n_mels * n_bins);
    for i in 0..n_mels {
        let (fdiff_lo, fdiff_hi) = (mel_f[i + 1] - mel_f[i], mel_f[i + 2] - mel_f[i + 1]);
        let enorm = 2.0 / (mel_f[i + 2] - mel_f[i]);
        for &f in &fft_freqs {
            let lower = -(mel_f[i] - f) / fdiff_lo;
            let upper = (mel_f[i + 2] - f) / fdiff_hi;
            // numpy's SIMD minimum/maximum return the second operand on ties, so the
            // first weight is -0.0 there; keep that sign for byte-identical files.
            let least = if lower < upper { lower } else { upper };
            let w = if 0.0 > least { 0.0 } else { least };
            weights.push((w * enorm) as f32);
        }
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_band_is_a_triangle_between_its_neighbours() {
        let n_mels = 80;
        let w = slaney_filterbank(n_mels, N_FFT, SAMPLE_RATE);
        let n_bins = N_FFT / 2 + 1;
        assert_eq!(w.len(), n_mels * n_bins);
        for band in w.chunks(n_bins) {
            assert!(band.iter().all(|&x| x >= 0.0));
            let peak = band
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, _)| i)
                .unwrap_or(0);
            // Rises to the peak, falls after it.
            assert!(band[..=peak].windows(2).all(|p| p[0] <= p[1]));
            assert!(band[peak..].windows(2).all(|p| p[0] >= p[1]));
        }
    }

    #[test]
    fn higher_bands_are_wider_and_lower_under_slaney_normalisation() {
        let w = slaney_filterbank(128, N_FFT, SAMPLE_RATE);
        let n_bins = N_FFT / 2 + 1;
        let support = |b: usize| {
            w[b * n_bins..(b + 1) * n_bins]
                .iter()
                .filter(|&&x| x > 0.0)
                .count()
        };
        let peak = |b: usize| {
            w[b * n_bins..(b + 1) * n_bins]
                .iter()
                .cloned()
                .fold(0f32, f32::max)
        };
        assert!(support(120) > support(60));
        assert!(peak(120) < peak(60));
    }

    #[test]
    fn mel_scale_is_linear_below_1khz_and_round_trips() {
        assert_eq!(hz_to_mel(600.0), 9.0);
        for hz in [0.0, 250.0, 999.0, 1000.0, 4321.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-9);
        }
    }
}
