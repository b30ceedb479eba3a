package dev.tollgate.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The BOM must list exactly the published modules, at the reactor's version: a module added to the
 * build without {@code maven.deploy.skip} and forgotten in {@code bom/pom.xml} fails here, not in a
 * user's build. (Lives here because test-support is built by every CI run and is never published.)
 */
class PublishedModulesTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void theBomListsEveryPublishedModuleAtTheReactorsVersion() throws Exception {
    Document root = parse(ROOT.resolve("pom.xml"));
    String version = child(root.getDocumentElement(), "version");

    TreeSet<String> published = new TreeSet<>();
    for (String module : texts(child(root.getDocumentElement(), "modules", true), "module")) {
      if (module.equals("bom")) {
        continue;
      }
      Element pom = parse(ROOT.resolve(module).resolve("pom.xml")).getDocumentElement();
      Element properties = childElement(pom, "properties");
      Element skip = properties == null ? null : childElement(properties, "maven.deploy.skip");
      boolean skipped = skip != null && skip.getTextContent().trim().equals("true");
      if (!skipped) {
        published.add(child(pom, "artifactId"));
      }
    }

    Element bom = parse(ROOT.resolve("bom/pom.xml")).getDocumentElement();
    assertEquals(version, child(bom, "version"), "tollgate-bom's version");
    TreeSet<String> listed = new TreeSet<>();
    Element managed = childElement(childElement(bom, "dependencyManagement"), "dependencies");
    for (Element dependency : elements(managed, "dependency")) {
      assertEquals("dev.tollgate", child(dependency, "groupId"));
      assertEquals("${project.version}", child(dependency, "version"));
      listed.add(child(dependency, "artifactId"));
    }
    assertEquals(published, listed, "modules in tollgate-bom (published = no maven.deploy.skip)");
    // Not vacuous: the four modules published from the start are found as published.
    assertTrue(
        published.containsAll(
            List.of("filter-core", "servlet-filter", "jaxrs-provider", "redis-store")),
        "published: " + published);
  }

  private static Document parse(Path pom) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    try (var in = Files.newInputStream(pom)) {
      return factory.newDocumentBuilder().parse(in);
    }
  }

  private static Element childElement(Element parent, String name) {
    List<Element> found = elements(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  private static Element child(Element parent, String name, boolean required) {
    Element e = childElement(parent, name);
    if (e == null && required) {
      throw new AssertionError("no <" + name + "> in <" + parent.getTagName() + ">");
    }
    return e;
  }

  private static String child(Element parent, String name) {
    return child(parent, name, true).getTextContent().trim();
  }

  private static List<Element> elements(Element parent, String name) {
    List<Element> out = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node n = nodes.item(i);
      if (n instanceof Element e && e.getTagName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  private static List<String> texts(Element parent, String name) {
    return elements(parent, name).stream().map(e -> e.getTextContent().trim()).toList();
  }
}
