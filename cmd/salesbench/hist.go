package main

import (
	"math"
	"math/bits"
	"time"
)

// histogram counts latencies in logarithmic buckets, as HdrHistogram does:
// values below 256 ns are exact; above, every power of two is split into 128
// buckets, so a recorded value is known to within 1/128 (0.8 %) of itself,
// and the midpoint that percentiles report is within 0.4 %. It keeps the
// exact minimum and maximum. The zero value is ready to use; it is not safe
// for concurrent use (each worker keeps its own and they are merged).
type histogram struct {
	counts   []uint64
	n        uint64
	sum      time.Duration
	min, max time.Duration
}

const (
	histSubBits    = 7                // 128 buckets per power of two
	histSubCount   = 1 << histSubBits // 128
	histExactLimit = 2 * histSubCount // values below this have their own bucket
	histBuckets    = histExactLimit + (64-histSubBits-1)*histSubCount
)

// bucketOf returns the index of the bucket holding v (v ≥ 0).
func bucketOf(v uint64) int {
	if v < histExactLimit {
		return int(v)
	}
	shift := bits.Len64(v) - (histSubBits + 1) // ≥ 1; v>>shift is in [128, 256)
	top := v >> shift
	return histExactLimit + (shift-1)*histSubCount + int(top-histSubCount)
}

// bucketRange returns the smallest value of bucket i and its width.
func bucketRange(i int) (low, width uint64) {
	if i < histExactLimit {
		return uint64(i), 1
	}
	j := i - histExactLimit
	shift := j/histSubCount + 1
	top := uint64(j%histSubCount + histSubCount)
	return top << shift, 1 << shift
}

// Record counts one latency; negative ones count as 0.
func (h *histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	if h.counts == nil {
		h.counts = make([]uint64, histBuckets)
	}
	h.counts[bucketOf(uint64(d))]++
	if h.n == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.n++
	h.sum += d
}

// Merge adds the counts of o to h.
func (h *histogram) Merge(o *histogram) {
	if o.n == 0 {
		return
	}
	if h.counts == nil {
		h.counts = make([]uint64, histBuckets)
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
	h.sum += o.sum
}

// Count returns the number of latencies recorded.
func (h *histogram) Count() uint64 { return h.n }

// Max returns the largest latency recorded, exactly.
func (h *histogram) Max() time.Duration { return h.max }

// Mean returns the average latency.
func (h *histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}

// Quantile returns the latency below or at which a fraction q (0..1) of the
// recorded latencies lie: the value of rank ⌈q·n⌉, as the midpoint of its
// bucket, clamped to the exact minimum and maximum. It returns 0 when
// nothing was recorded.
func (h *histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			low, width := bucketRange(i)
			v := time.Duration(low + (width-1)/2)
			return min(max(v, h.min), h.max)
		}
	}
	return h.max
}
