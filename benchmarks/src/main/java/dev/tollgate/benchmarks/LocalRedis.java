package dev.tollgate.benchmarks;

import dev.tollgate.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A private {@code redis-server} for the Redis part, started by test-support's {@link RedisServer}
 * (the project's one launcher: a free port of 127.0.0.1, persistence off, a temporary directory
 * deleted on close), plus the admin connection the benchmark uses to flush and read the command
 * statistics; {@code redis-benchmark} is taken from beside {@code redis-server}.
 */
final class LocalRedis implements AutoCloseable {

  private final RedisServer server;
  private final RedisClient adminClient;
  private final StatefulRedisConnection<String, String> admin;

  private LocalRedis(RedisServer server) {
    this.server = server;
    this.adminClient = RedisClient.create(server.uri());
    this.admin = adminClient.connect();
  }

  /** Starts a server and waits (at most 10 s) until it answers PING. */
  static LocalRedis start() {
    RedisServer server = RedisServer.start();
    try {
      return new LocalRedis(server);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  int port() {
    return server.port();
  }

  String uri() {
    return server.uri();
  }

  /** The server's version, e.g. {@code 7.0.15}. */
  String version() {
    return info("server").getOrDefault("redis_version", "?");
  }

  /** {@code redis-benchmark} next to {@code redis-server}, or on the PATH, or null. */
  Path benchmarkBinary() {
    return server.tool("redis-benchmark");
  }

  RedisCommands<String, String> admin() {
    return admin.sync();
  }

  /** Removes every key (the script cache stays). */
  void flush() {
    admin().flushall();
  }

  /** Zeroes the command statistics ({@code CONFIG RESETSTAT}). */
  void resetStats() {
    admin().configResetstat();
  }

  /**
   * Calls per command since the last {@link #resetStats()}, from {@code INFO commandstats}, without
   * the admin connection's own {@code CONFIG RESETSTAT} and {@code INFO}.
   */
  Map<String, Long> commandCalls() {
    Map<String, Long> calls = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : info("commandstats").entrySet()) {
      // cmdstat_evalsha -> calls=1000,usec=...,usec_per_call=...
      String command = e.getKey().substring("cmdstat_".length());
      if (command.equals("config|resetstat") || command.equals("info")) {
        continue;
      }
      for (String f : e.getValue().split(",")) {
        if (f.startsWith("calls=")) {
          calls.put(command, Long.parseLong(f.substring(6)));
        }
      }
    }
    return calls;
  }

  /**
   * Microseconds Redis spent running scripts ({@code EVALSHA} and {@code EVAL}, their own commands
   * included) since the last {@link #resetStats()}, from {@code INFO commandstats}: the share of
   * {@link #cpuSeconds()} that is Lua rather than network and event loop.
   */
  long scriptMicros() {
    long micros = 0;
    for (Map.Entry<String, String> e : info("commandstats").entrySet()) {
      if (e.getKey().equals("cmdstat_evalsha") || e.getKey().equals("cmdstat_eval")) {
        for (String f : e.getValue().split(",")) {
          if (f.startsWith("usec=")) {
            micros += Long.parseLong(f.substring(5));
          }
        }
      }
    }
    return micros;
  }

  /** CPU time the server process has used, user and system, in seconds ({@code INFO cpu}). */
  double cpuSeconds() {
    Map<String, String> cpu = info("cpu");
    return Double.parseDouble(cpu.get("used_cpu_user"))
        + Double.parseDouble(cpu.get("used_cpu_sys"));
  }

  /** Commands Redis ran during a {@link #monitor}: sent by clients, and run inside scripts. */
  record Monitored(Map<String, Long> fromClients, Map<String, Long> inScripts) {}

  /**
   * Runs {@code work} under {@code MONITOR} and counts the commands by name (lower case): those
   * that arrived from client connections, i.e. round trips, apart from those that scripts ran
   * ({@code [0 lua]} in MONITOR's output). MONITOR slows Redis down: only for counting.
   */
  Monitored monitor(Runnable work) throws IOException, InterruptedException {
    String marker = "tollgate-monitor-end-" + System.nanoTime();
    Map<String, Long> clients = new TreeMap<>();
    Map<String, Long> scripts = new TreeMap<>();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port()), 1000);
      s.setSoTimeout(30_000);
      s.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      String ok = in.readLine();
      if (!"+OK".equals(ok)) {
        throw new IllegalStateException("MONITOR answered " + ok);
      }
      work.run();
      admin().echo(marker);
      // +1700000000.123456 [0 127.0.0.1:54321] "EVALSHA" "..." ...   or   [0 lua] "get" "key"
      for (String line; (line = in.readLine()) != null; ) {
        int open = line.indexOf('[');
        int close = line.indexOf(']', open);
        int q1 = line.indexOf('"', close);
        int q2 = line.indexOf('"', q1 + 1);
        if (open < 0 || close < 0 || q1 < 0 || q2 < 0) {
          continue;
        }
        String command = line.substring(q1 + 1, q2).toLowerCase(Locale.ROOT);
        if (command.equals("echo") && line.contains(marker)) {
          break;
        }
        boolean lua = line.substring(open, close).endsWith(" lua");
        (lua ? scripts : clients).merge(command, 1L, Long::sum);
      }
    }
    return new Monitored(clients, scripts);
  }

  private Map<String, String> info(String section) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : admin().info(section).split("\r?\n")) {
      int colon = line.indexOf(':');
      if (!line.startsWith("#") && colon > 0) {
        fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return fields;
  }

  @Override
  public void close() {
    try {
      admin.close();
      adminClient.shutdown();
    } finally {
      server.close();
    }
  }
}
