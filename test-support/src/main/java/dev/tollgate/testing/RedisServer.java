package dev.tollgate.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} process for tests, on a free port of 127.0.0.1 with persistence off
 * ({@code --save '' --appendonly no}) in a temporary directory that is deleted on close. Found on
 * the PATH, or in {@code /usr/bin} or {@code /usr/local/bin}; a missing binary fails the test (CI
 * installs it with {@code apt-get install -y redis-server}). The one launcher of the project: the
 * redis-store tests, the Spring Boot starter's and the benchmarks' Redis part all start it.
 */
public final class RedisServer implements AutoCloseable {

  private final Path binary;
  private final Path dir;
  private final int port;
  private final List<String> extraArgs;
  private Process process;

  private RedisServer(Path binary, Path dir, int port, List<String> extraArgs) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
    this.extraArgs = extraArgs;
  }

  public static RedisServer start() {
    return start(List.of());
  }

  /**
   * A server in cluster mode; it serves no slot until they are assigned (CLUSTER ADDSLOTSRANGE).
   */
  public static RedisServer startClusterNode() {
    return start(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"));
  }

  /** A server with extra command-line arguments, e.g. {@code --enable-debug-command yes}. */
  public static RedisServer start(List<String> extraArgs) {
    try {
      RedisServer server =
          new RedisServer(
              installedServer(),
              Files.createTempDirectory("tollgate-redis"),
              freePort(),
              extraArgs);
      server.startProcess();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server", e);
    }
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** The {@code redis-server} binary this server runs. */
  public Path binary() {
    return binary;
  }

  /**
   * Another Redis tool, e.g. {@code redis-benchmark}: next to this server's binary, else on the
   * PATH or in {@code /usr/bin} or {@code /usr/local/bin}; null if none is installed.
   */
  public Path tool(String name) {
    Path sibling = binary.resolveSibling(name);
    return Files.isExecutable(sibling) ? sibling : find(name);
  }

  /** Kills the server (its data is gone, as with a crash of a cache without persistence). */
  public void stop() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  /** Starts the server again on the same port. */
  public void restart() {
    stop();
    try {
      startProcess();
    } catch (IOException e) {
      throw new IllegalStateException("cannot restart redis-server", e);
    }
  }

  /** Freezes the process (SIGSTOP): connections stay open but nothing answers. */
  public void pause() {
    signal("-STOP");
  }

  /** Thaws a {@link #pause() paused} process. */
  public void resume() {
    signal("-CONT");
  }

  @Override
  public void close() {
    if (process != null) {
      signal("-CONT");
    }
    stop();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      // A temporary directory left behind is harmless.
    }
  }

  private void signal(String signal) {
    try {
      new ProcessBuilder("kill", signal, Long.toString(process.pid()))
          .inheritIO()
          .start()
          .waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void startProcess() throws IOException {
    process =
        new ProcessBuilder(command())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    awaitPing();
  }

  /** The command line: this port on 127.0.0.1, no persistence, in the foreground, quiet. */
  private List<String> command() {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString(),
                "--daemonize",
                "no",
                "--loglevel",
                "warning"));
    cmd.addAll(extraArgs);
    return cmd;
  }

  /** Waits up to 10 s until the started process answers PING; fails at once if it exits. */
  private void awaitPing() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "redis-server exited with "
                + process.exitValue()
                + ": "
                + Files.readString(dir.resolve("redis.log")));
      }
      if (ping()) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException(
        "redis-server did not answer PING on port " + port + " within 10s");
  }

  private boolean ping() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      s.setSoTimeout(500);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[7];
      int n = in.read(buf);
      String reply = n > 0 ? new String(buf, 0, n, StandardCharsets.US_ASCII) : "";
      // A server started with --requirepass answers NOAUTH: it is up all the same.
      return reply.startsWith("+PONG") || reply.startsWith("-NOAUTH");
    } catch (IOException e) {
      return false;
    }
  }

  private static Path installedServer() {
    Path p = find("redis-server");
    if (p != null) {
      return p;
    }
    throw new IllegalStateException(
        "redis-server is not installed: the redis-store tests need a real Redis."
            + " Install it, e.g. 'apt-get install -y redis-server' (Debian/Ubuntu) or 'brew install redis' (macOS),"
            + " so that redis-server is on the PATH.");
  }

  private static Path find(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
        return Path.of(d, name);
      }
    }
    for (String d : List.of("/usr/bin", "/usr/local/bin")) {
      if (Files.isExecutable(Path.of(d, name))) {
        return Path.of(d, name);
      }
    }
    return null;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
