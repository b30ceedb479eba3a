package dev.tollgate.example.jersey;

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
    Path base = Files.createTempDirectory("tollgate-jersey-example-tomcat");
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
