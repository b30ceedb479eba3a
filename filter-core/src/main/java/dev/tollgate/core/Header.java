package dev.tollgate.core;

/**
 * A response header that an adapter copies as it is. Values never hold CR, LF or other control
 * characters.
 */
public record Header(String name, String value) {}
