package org.smoothkl.audit;

import org.smoothkl.loss.WireCode;

/** Which engine scores the rows: the RAPIDS engine when its plugin is active, else the CPU one (auto); or either. */
public enum EngineChoice implements WireCode {
    AUTO,
    CPU,
    RAPIDS
}
