package org.smoothkl.engine;

/**
 * --engine rapids and the GPU self-check found a difference ({@link GpuSelfCheck.Outcome#failure}):
 * the run stops before reading its input, exit 1 (the GPU, its driver or the cuDF kernel is at
 * fault, not the user's input), with this one-line message.
 */
public final class GpuSelfCheckFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GpuSelfCheckFailure(String message) {
        super(message);
    }
}
