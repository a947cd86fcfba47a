/**
 * The {@code raet4j.jar} command line: {@link io.raet4j.examples.Main} dispatches to one command per class
 * ({@code demo}, {@code send}, {@code recv}, {@code pub}, {@code sub}, {@code ping}, {@code pong}, {@code stat},
 * {@code keys}). Each drives its stacks in invoker mode from one thread, prints progress lines, and prints a one-line
 * JSON result last.
 */
package io.raet4j.examples;
