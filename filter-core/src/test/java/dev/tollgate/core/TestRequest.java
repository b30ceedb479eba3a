package dev.tollgate.core;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link RequestView} built by hand. Header names are case-insensitive, as the interface says.
 */
public final class TestRequest implements RequestView {

  private String method = "GET";
  private String path = "/";
  private final Map<String, List<String>> headers = new LinkedHashMap<>();
  private String remoteAddress = "203.0.113.7";
  private String principal;
  private final java.util.Set<String> roles = new java.util.HashSet<>();
  private final Map<String, List<String>> parameters = new LinkedHashMap<>();

  public static TestRequest get(String path) {
    return new TestRequest().path(path);
  }

  public TestRequest method(String m) {
    this.method = m;
    return this;
  }

  public TestRequest path(String p) {
    this.path = p;
    return this;
  }

  public TestRequest header(String name, String value) {
    headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
    return this;
  }

  public TestRequest from(String address) {
    this.remoteAddress = address;
    return this;
  }

  public TestRequest principal(String name) {
    this.principal = name;
    return this;
  }

  /** The principal's roles (asked by {@link #isUserInRole}). */
  public TestRequest roles(String... names) {
    roles.addAll(List.of(names));
    return this;
  }

  @Override
  public boolean isUserInRole(String role) {
    return principal != null && roles.contains(role);
  }

  public TestRequest param(String name, String value) {
    parameters.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    return this;
  }

  /** Adds the parameters of a raw query string, decoded as a servlet container would. */
  public TestRequest query(String rawQuery) {
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String n = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      param(n, v);
    }
    return this;
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String header(String name) {
    List<String> v = headers(name);
    return v.isEmpty() ? null : v.get(0);
  }

  @Override
  public List<String> headers(String name) {
    return List.copyOf(headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()));
  }

  @Override
  public String remoteAddress() {
    return remoteAddress;
  }

  @Override
  public String principalName() {
    return principal;
  }

  @Override
  public List<String> parameterValues(String name) {
    return List.copyOf(parameters.getOrDefault(name, List.of()));
  }
}
