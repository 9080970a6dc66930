package org.smoothkl.audit;

/**
 * A problem with what the user gave us (flags, config, input path or schema): the job stops
 * with exit code 2 and this message, which names the flag, column, file or value.
 */
public class AuditInputException extends RuntimeException {
    public AuditInputException(String message) {
        super(message);
    }

    public AuditInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
