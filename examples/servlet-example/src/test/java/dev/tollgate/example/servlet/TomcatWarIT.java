package dev.tollgate.example.servlet;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/** The WAR in embedded Tomcat 10.1, deployed with {@link Tomcat#addWebapp(String, String)}. */
class TomcatWarIT extends ExampleContract {

  @Override
  AutoCloseable deploy(Path war) throws Exception {
    Path base = Files.createTempDirectory("tollgate-example-tomcat");
    Files.createDirectories(base.resolve("webapps"));
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    // No JSP engine in embedded tomcat-embed-core: leave out conf/web.xml's JSP servlet.
    tomcat.setAddDefaultWebXmlToWebapp(false);
    Context context = tomcat.addWebapp("", war.toAbsolutePath().toString());
    // ...but keep its default servlet on "/", as every Tomcat installation has: without any servlet
    // mapped to a path (here the status path /api/rate_limit), Tomcat answers 404 without running filters.
    Tomcat.addServlet(context, "default", "org.apache.catalina.servlets.DefaultServlet");
    context.addServletMappingDecoded("/", "default");
    tomcat.start();
    if (context.getState() != LifecycleState.STARTED) {
      tomcat.stop();
      throw new IllegalStateException("the WAR did not start in Tomcat: " + context.getState());
    }
    bound(connector.getLocalPort());
    return () -> {
      tomcat.stop();
      tomcat.destroy();
    };
  }
}
