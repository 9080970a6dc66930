/**
 * The RAPIDS engine's UDF and its cuDF kernel: the only package that mentions RAPIDS or cuDF
 * types, loaded by class name only when that engine is chosen. Depends on {@code loss} only.
 */
package org.smoothkl.gpu;
