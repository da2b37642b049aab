package dev.misbehave.junit;

import dev.misbehave.PeerScript;
import dev.misbehave.ProxyTo;
import dev.misbehave.RequestEnd;
import dev.misbehave.Script;
import dev.misbehave.Tls;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Turns a {@link PeerScript} into a {@link Script}, or fails with a message that names the
 * attribute, the value, the element and the fix.
 */
final class Scripts {

    private Scripts() {}

    /**
     * The script {@code declaration} describes; {@code testClass} is the class whose class loader
     * loads a {@link PeerScript#responseResource()}, and where a {@link ProxyTo#value()} is looked
     * for; {@code instances} gives the test instances to read it from (null: static members only).
     */
    static Script from(Declaration declaration, Class<?> testClass, Supplier<List<Object>> instances) {
        if (declaration.annotation() instanceof ProxyTo) {
            return Upstreams.from(declaration, testClass, instances);
        }
        PeerScript script = (PeerScript) declaration.annotation();
        boolean delimiter = !script.requestEndsWith().isEmpty();
        boolean length = script.requestLength() != Faults.UNSET_INT;
        boolean text = !script.response().isEmpty();
        boolean resource = !script.responseResource().isEmpty();
        if (text && resource) {
            throw declaration.invalid("`response` and `responseResource` are both set. Keep one: the"
                    + " response's text, or the classpath resource that holds it.");
        }
        String response = text ? "`response`" : "`responseResource`";
        if (script.echo() && (text || resource)) {
            throw declaration.invalid("`echo` = true and " + response + " are both set. Keep one: echo"
                    + " sends back every byte the peer reads, a response answers each request.");
        }
        if (delimiter && length) {
            throw declaration.invalid("`requestEndsWith` and `requestLength` are both set. Keep one: a"
                    + " request ends with a delimiter or has a fixed length.");
        }
        if (!script.lengthField().isEmpty() && !delimiter) {
            throw declaration.invalid("`lengthField` = " + AnnotationText.quote(script.lengthField())
                    + " needs `requestEndsWith`, the end of the head the field is in. Add requestEndsWith"
                    + " = \"\\r\\n\\r\\n\", or remove lengthField.");
        }
        if (!script.lengthField().isEmpty() && script.lengthField().isBlank()) {
            throw declaration.invalid("`lengthField` = " + AnnotationText.quote(script.lengthField()) + " is"
                    + " blank. Give the name of the field, for example lengthField = \"Content-Length\".");
        }
        if (length && script.requestLength() < 1) {
            throw declaration.invalid("`requestLength` = " + script.requestLength()
                    + (script.requestLength() < 0 ? " is negative. Use 1 or more" : " must be 1 or more")
                    + ": the length of every request, in bytes. For requests that end with a delimiter,"
                    + " set requestEndsWith instead.");
        }
        if ((text || resource) && !delimiter && !length) {
            throw declaration.invalid(response + " is set, but not where a request ends, so the peer would"
                    + " never know when to respond. Set requestEndsWith = \"\\n\" (a delimiter) or"
                    + " requestLength = N (a fixed length).");
        }
        if ((delimiter || length) && !text && !resource) {
            String end = delimiter
                    ? "`requestEndsWith` = " + AnnotationText.quote(script.requestEndsWith())
                    : "`requestLength` = " + script.requestLength();
            throw declaration.invalid(end + " says where a request ends, but no response is set. Set"
                    + " `response` or `responseResource`, or remove " + (delimiter ? "requestEndsWith." : "requestLength."));
        }
        if (!script.tls() && script.certificate() != Tls.Certificate.VALID) {
            throw declaration.invalid("`certificate` = " + script.certificate() + " is set, but not `tls` = true, so"
                    + " the peer presents no certificate. Add tls = true, or remove certificate.");
        }
        if (!script.tls() && script.clientCertificateRequired()) {
            throw declaration.invalid("`clientCertificateRequired` = true is set, but not `tls` = true, so the peer"
                    + " has no handshake to ask for one in. Add tls = true, or remove clientCertificateRequired.");
        }
        Script built = body(declaration, script, delimiter, text, resource, testClass);
        Script greeted = script.greeting().isEmpty() ? built : built.withGreeting(script.greeting());
        if (!script.tls()) {
            return greeted;
        }
        Tls tls = Tls.generated(script.certificate());
        return greeted.withTls(script.clientCertificateRequired() ? tls.requiringClientCertificate() : tls);
    }

    private static Script body(
            Declaration declaration, PeerScript script, boolean delimiter, boolean text, boolean resource,
            Class<?> testClass) {
        if (script.echo()) {
            return Script.echo();
        }
        if (!text && !resource) {
            return Script.silent();
        }
        RequestEnd end;
        try {
            end = delimiter
                    ? script.lengthField().isEmpty()
                            ? RequestEnd.delimiter(script.requestEndsWith())
                            : RequestEnd.headersThenLength(script.requestEndsWith(), script.lengthField())
                    : RequestEnd.length(script.requestLength());
        } catch (IllegalArgumentException rejected) {
            throw declaration.invalid("the script model rejects it: " + rejected.getMessage());
        }
        byte[] response = text
                ? script.response().getBytes(StandardCharsets.UTF_8)
                : resource(declaration, script.responseResource(), testClass);
        return Script.respond(end, response);
    }

    private static byte[] resource(Declaration declaration, String name, Class<?> testClass) {
        String path = name.startsWith("/") ? name.substring(1) : name;
        ClassLoader loader = testClass.getClassLoader();
        if (path.isEmpty() || path.endsWith("/") || isDirectory(loader == null ? null : loader.getResource(path))) {
            throw declaration.invalid("`responseResource` = " + AnnotationText.quote(name) + " names a directory of"
                    + " the class path, not a file. Name the file that holds the response, for example"
                    + " responseResource = \"responses/ok.http\".");
        }
        try (InputStream in = loader == null ? null : loader.getResourceAsStream(path)) {
            if (in == null) {
                throw declaration.invalid("`responseResource` = " + AnnotationText.quote(name) + " is not on"
                        + " the class path of " + testClass.getName() + ". Put the file in"
                        + " src/test/resources/" + path + ", or correct the name (it is resolved from the"
                        + " root of the class path).");
            }
            byte[] bytes = in.readAllBytes();
            if (bytes.length == 0) {
                throw declaration.invalid("`responseResource` = " + AnnotationText.quote(name) + " is empty."
                        + " Put the response in it, or use a script without a response.");
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read `responseResource` " + name, e);
        }
    }

    /** Whether a class path resource is a directory (of a directory on the class path). */
    private static boolean isDirectory(URL resource) {
        if (resource == null || !"file".equals(resource.getProtocol())) {
            return false;
        }
        try {
            return Files.isDirectory(Path.of(resource.toURI()));
        } catch (URISyntaxException | IllegalArgumentException notAFile) {
            return false;
        }
    }
}
