package dev.misbehave.examples;

import dev.misbehave.ForceResetAfter;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

// tag::composed[]
/** An upload server that hangs up after the first 16 bytes of every upload. */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
@ForceResetAfter(bytes = 16)
@interface FlakyUploadServer {}
// end::composed[]
