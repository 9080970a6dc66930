package org.smoothkl.loss;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link ReaderCheck#firstProblem} and {@link LogitBatch#endRowIfUnreadable} follow the declared order. */
class ReaderCheckTest {

    @Test
    void theFirstCheckThatHoldsInDeclarationOrderNamesTheRow() {
        for (InvalidReason readerProblem : Arrays.asList(null, InvalidReason.MALFORMED_RECORD)) {
            for (boolean nullLogits : new boolean[] {false, true}) {
                for (boolean nullLabel : new boolean[] {false, true}) {
                    InvalidReason expected = null;
                    for (ReaderCheck c : ReaderCheck.values()) {
                        boolean holds = switch (c) {
                            case READER_PROBLEM -> readerProblem != null;
                            case NULL_LOGITS -> nullLogits;
                            case NULL_LABEL -> nullLabel;
                            case NULL_LOGIT -> false; // met later, while the logits are read
                        };
                        if (holds) {
                            expected = c == ReaderCheck.READER_PROBLEM ? readerProblem : c.reason();
                            break;
                        }
                    }
                    String facts = readerProblem + " " + nullLogits + " " + nullLabel;
                    assertThat(ReaderCheck.firstProblem(readerProblem, nullLogits, nullLabel)).as(facts).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void theNullLogitCheckComesLast() {
        ReaderCheck[] checks = ReaderCheck.values();
        assertThat(checks[checks.length - 1]).isEqualTo(ReaderCheck.NULL_LOGIT);
        assertThat(ReaderCheck.NULL_LOGIT.reason()).isEqualTo(InvalidReason.NULL_LOGIT);
    }

    @Test
    void aRowWithAProblemEndsWithItAndDropsItsLogits() {
        LogitBatch batch = new LogitBatch(2, 4);
        batch.appendValue(1);
        assertThat(batch.endRowIfUnreadable(null, false, true)).isTrue();
        batch.appendValue(2);
        assertThat(batch.endRowIfUnreadable(null, false, false)).isFalse();
        batch.endRow(0);
        assertThat(batch.rows()).isEqualTo(2);
        assertThat(batch.inputProblem(0)).isEqualTo(InvalidReason.NULL_LABEL);
        assertThat(batch.offsets()[1]).isZero();
        assertThat(batch.inputProblem(1)).isNull();
        assertThat(batch.values()[0]).isEqualTo(2);
    }
}
