package dev.misbehave.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Application code shared by the artifact stores: reads a response body to its end and checks it
 * against the length the response announced, so that a body cut short is a failure, never a
 * result. Some clients report a server's FIN mid-body as a normal end of stream (JDK 17's
 * {@code HttpURLConnection}); only this count catches it.
 */
final class WholeBody {

    private WholeBody() {}

    /**
     * Reads {@code body} to its end.
     *
     * @param body the response body
     * @param expected the announced length ({@code Content-Length}), or -1 if none was announced
     * @return every byte of the body
     * @throws DownloadFailedException if reading fails, or the body is shorter or longer than
     *     announced; it says how many bytes arrived
     */
    // tag::whole-body[]
    static byte[] read(InputStream body, long expected) throws DownloadFailedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long received = 0;
        try (body) {
            for (int n; (n = body.read(buffer)) >= 0; received += n) {
                bytes.write(buffer, 0, n);
            }
        } catch (IOException broken) {
            throw new DownloadFailedException(received, -1, broken);
        }
        if (expected >= 0 && received != expected) { // a close mid-body can read as the end
            throw new DownloadFailedException(received, expected, null);
        }
        return bytes.toByteArray();
    }
    // end::whole-body[]
}
