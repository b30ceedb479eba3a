package dev.tollgate.example.servlet;

import dev.tollgate.example.support.ExampleContract;
import dev.tollgate.example.support.WarContainers;
import java.nio.file.Path;

/** The WAR in embedded Tomcat 10.1, and in Tomcat 11 (the failsafe execution "tomcat-11"). */
class TomcatWarIT extends ExampleContract {

  @Override
  protected AutoCloseable deploy(Path war) throws Exception {
    return WarContainers.tomcat(war, this::bound);
  }
}
