/**
 * Benchmarks (submit/bench): the scan floor, the job, the built-in-functions formulation and the
 * row kernels, interleaved over rounds; ratios measured in one run.
 */
package org.smoothkl.bench;
