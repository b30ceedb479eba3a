package dev.tollgate.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every Java sample of the project's README against the published modules, so that a
 * renamed method or a wrong import in the documentation fails the build. This module is the one
 * that depends on all of them, which is why the test lives here.
 *
 * <p>A sample is either statements (wrapped in a method whose parameters are the free variables a
 * reader has at hand, such as {@code servletContext}) or class members (a class, or an annotated
 * method); {@code { ... }} stands for a body the reader writes and compiles as a throw.
 */
class ReadmeSnippetsTest {

  private static final Pattern JAVA_BLOCK =
      Pattern.compile("(?m)^( *)```java\\n(.*?)^ *```", Pattern.DOTALL);

  /** Variables the samples use without declaring them, with their types. */
  private static final Map<String, String> FREE_VARIABLES = new LinkedHashMap<>();

  static {
    FREE_VARIABLES.put("servletContext", "jakarta.servlet.ServletContext");
    FREE_VARIABLES.put("registry", "io.github.resilience4j.ratelimiter.RateLimiterRegistry");
    FREE_VARIABLES.put("meterRegistry", "io.micrometer.core.instrument.MeterRegistry");
    FREE_VARIABLES.put("in", "java.io.InputStream");
    FREE_VARIABLES.put("config", "dev.tollgate.core.TollgateConfig");
    FREE_VARIABLES.put("resourceConfig", "org.glassfish.jersey.server.ResourceConfig");
    FREE_VARIABLES.put("myStore", "dev.tollgate.core.store.RateLimitStore");
    FREE_VARIABLES.put("dataSource", "javax.sql.DataSource");
  }

  /** Classes of the reader's application the samples name, compiled as empty stand-ins. */
  private static final List<String> FREE_TYPES = List.of("Reports");

  @Test
  void everyJavaSampleOfTheReadmeCompiles(@TempDir Path work) throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    List<String> samples = javaSamples(readme);
    // The README holds more than eight samples; finding none would make this test pass vacuously.
    assertTrue(samples.size() >= 8, "Java samples found in the README: " + samples.size());

    List<Path> sources = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      Path source = work.resolve("Sample" + i + ".java");
      Files.writeString(source, compilationUnit("Sample" + i, samples.get(i)));
      sources.add(source);
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "-proc:none",
                "-Xlint:none",
                "-d",
                work.resolve("classes").toString(),
                "-classpath",
                System.getProperty("java.class.path")));
    sources.forEach(source -> arguments.add(source.toString()));
    int status = javac.run(null, diagnostics, diagnostics, arguments.toArray(String[]::new));
    assertEquals(0, status, () -> "README samples do not compile:\n" + diagnostics);
  }

  @Test
  void samplesAreSplitIntoImportsAndBody() {
    String unit =
        compilationUnit("S", "import java.util.List;\n\nList<String> names = List.of();\n");
    assertTrue(unit.startsWith("import java.util.List;\n"), unit);
    assertTrue(unit.contains("void run() throws Exception {\nList<String> names"), unit);
    String members = compilationUnit("S", "@Deprecated\npublic String list(int size) { ... }\n");
    assertTrue(
        members.contains(
            "public String list(int size) " + "{ throw new UnsupportedOperationException(); }"),
        members);
    String usesContext = compilationUnit("S", "servletContext.getAttribute(\"a\");\n");
    assertTrue(
        usesContext.contains("run(jakarta.servlet.ServletContext servletContext)"), usesContext);
    assertEquals(List.of("int a = 1;\n"), javaSamples("x\n  ```java\n  int a = 1;\n  ```\n"));
  }

  static List<String> javaSamples(String markdown) {
    List<String> samples = new ArrayList<>();
    Matcher block = JAVA_BLOCK.matcher(markdown);
    while (block.find()) {
      String indent = block.group(1);
      StringBuilder sample = new StringBuilder();
      for (String line : block.group(2).split("\n", -1)) {
        sample
            .append(line.startsWith(indent) ? line.substring(indent.length()) : line)
            .append('\n');
      }
      samples.add(sample.toString().stripTrailing() + "\n");
    }
    return samples;
  }

  static String compilationUnit(String className, String sample) {
    StringBuilder imports = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (String line : sample.split("\n")) {
      (line.startsWith("import ") ? imports : body).append(line).append('\n');
    }
    String code =
        body.toString()
            .replace("{ ... }", "{ throw new UnsupportedOperationException(); }")
            .strip();
    StringBuilder stubs = new StringBuilder();
    for (String type : FREE_TYPES) {
      if (Pattern.compile("\\b" + type + "\\b").matcher(code).find()) {
        stubs.append("static class ").append(type).append(" {}\n");
      }
    }
    boolean members =
        code.startsWith("@") || code.startsWith("public ") || code.startsWith("class ");
    if (members) {
      return imports + "\nclass " + className + " {\n" + stubs + code + "\n}\n";
    }
    List<String> parameters = new ArrayList<>();
    FREE_VARIABLES.forEach(
        (name, type) -> {
          boolean used = Pattern.compile("\\b" + name + "\\b").matcher(code).find();
          boolean declared = Pattern.compile("\\b" + name + "\\s*=").matcher(code).find();
          if (used && !declared) {
            parameters.add(type + " " + name);
          }
        });
    return imports
        + "\nclass "
        + className
        + " {\n"
        + stubs
        + "void run("
        + String.join(", ", parameters)
        + ") throws Exception {\n"
        + code
        + "\n}\n}\n";
  }
}
