package dev.tollgate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.core.store.RateLimitStoreProvider;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What a modular application sees of filter-core: the compiled {@code module-info.class} exports
 * the API packages only, {@code dev.tollgate.core.adapter} only to Tollgate's adapters, and never
 * {@code dev.tollgate.core.internal}.
 */
class ModuleDescriptorTest {

  @Test
  void exportsTheApiAndHidesTheInternals() throws Exception {
    ModuleDescriptor module = compiledDescriptor();
    Map<String, Set<String>> exports = new TreeMap<>();
    for (Exports e : module.exports()) {
      exports.put(e.source(), new TreeSet<>(e.targets()));
    }

    assertEquals("dev.tollgate.core", module.name());
    assertEquals(
        Map.of(
            "dev.tollgate.core", Set.of(),
            "dev.tollgate.core.store", Set.of(),
            "dev.tollgate.core.micrometer", Set.of(),
            "dev.tollgate.core.resilience4j", Set.of(),
            "dev.tollgate.core.adapter", Set.of("dev.tollgate.jaxrs", "dev.tollgate.servlet")),
        exports);
    assertTrue(module.packages().contains("dev.tollgate.core.internal"));
    assertTrue(module.opens().isEmpty(), () -> "opens " + module.opens());
  }

  @Test
  void declaresTheStoreServiceItLoads() throws Exception {
    assertEquals(Set.of(RateLimitStoreProvider.class.getName()), compiledDescriptor().uses());
  }

  /** The descriptor in the directory or jar this class was loaded from (the class path or not). */
  private static ModuleDescriptor compiledDescriptor() throws IOException, URISyntaxException {
    Module module = Tollgate.class.getModule();
    if (module.isNamed()) {
      return module.getDescriptor();
    }
    Path classes =
        Path.of(Tollgate.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
      // javac records no package list in the descriptor (the jar tool does): find them as the
      // module system would, from the classes beside it.
      return ModuleDescriptor.read(in, () -> packagesUnder(classes));
    }
  }

  private static Set<String> packagesUnder(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".class"))
          .map(p -> root.relativize(p).getParent())
          .filter(Objects::nonNull)
          .map(dir -> dir.toString().replace(File.separatorChar, '.'))
          .collect(Collectors.toSet());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
