package dev.misbehave.examples;

/** A download that did not deliver the whole body. */
public final class DownloadFailedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final long bytesReceived;

    /**
     * Creates the exception.
     *
     * @param bytesReceived body bytes that arrived before the failure
     * @param bytesExpected the announced length, or -1 if the connection failed first
     * @param cause the I/O failure, or null for a body cut short by an orderly close
     */
    public DownloadFailedException(long bytesReceived, long bytesExpected, Throwable cause) {
        super(cause == null
                ? "Body cut short: " + bytesReceived + " of " + bytesExpected + " bytes"
                : "Download failed after " + bytesReceived + " body bytes", cause);
        this.bytesReceived = bytesReceived;
    }

    /**
     * Body bytes that arrived before the failure.
     *
     * @return the count
     */
    public long bytesReceived() {
        return bytesReceived;
    }
}
