package dev.misbehave.examples;

import dev.misbehave.Connections;
import dev.misbehave.ForceResetAfter;
import dev.misbehave.PeerScript;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A composed annotation, declared once by a team and reused by its tests: a payments gateway that
 * answers {@code 201 Created}, except that the first two connections are reset after 100 bytes of
 * the request.
 */
// tag::composed[]
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
@PeerScript(requestEndsWith = "\r\n\r\n", lengthField = "Content-Length",
        response = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
@ForceResetAfter(bytes = 100, connections = @Connections(first = 2))
@interface FlakyPaymentsGateway {}
// end::composed[]
