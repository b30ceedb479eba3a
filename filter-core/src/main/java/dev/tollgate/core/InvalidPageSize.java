package dev.tollgate.core;

/** What to do with a page size that is not a positive whole number. */
public enum InvalidPageSize {
  /** Answer 400 with a problem body naming the parameter. */
  REJECT("reject"),
  /** Replace it with the default page size. */
  USE_DEFAULT("default");

  private final String configName;

  InvalidPageSize(String configName) {
    this.configName = configName;
  }

  /** The word used in configuration: {@code reject} or {@code default}. */
  public String configName() {
    return configName;
  }

  /** Reads {@code reject} or {@code default}, ignoring case. */
  public static InvalidPageSize fromConfig(String word) {
    return ConfigWords.fromConfig(values(), InvalidPageSize::configName, word, "a choice");
  }
}
