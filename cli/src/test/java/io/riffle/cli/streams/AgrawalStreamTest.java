package io.riffle.cli.streams;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Agrawal against the paper's definitions: functions 1 and 4 on hand-made records, attribute ranges, the switch. */
class AgrawalStreamTest {

    /** Group of a record under {@code function}; car, zipcode, hvalue, hyears, loan do not matter for 1-4. */
    private static int group(int function, double salary, int age, int elevel) {
        return AgrawalStream.group(function, salary, 0, age, elevel, 500_000, 10, 250_000);
    }

    @Test
    void functionOneIsGroupAOutsideTheMiddleAgeBand() {
        assertThat(group(1, 60_000, 25, 0)).isEqualTo(0);
        assertThat(group(1, 60_000, 39, 0)).isEqualTo(0);
        assertThat(group(1, 60_000, 40, 0)).isEqualTo(1);
        assertThat(group(1, 60_000, 59, 4)).isEqualTo(1);
        assertThat(group(1, 60_000, 60, 4)).isEqualTo(0);
        assertThat(group(1, 140_000, 80, 2)).isEqualTo(0);
    }

    @Test
    void functionFourDependsOnAgeEducationAndSalary() {
        // Under 40: elevel 0-1 → A iff 25k <= salary <= 75k; else A iff 50k <= salary <= 100k.
        assertThat(group(4, 30_000, 30, 0)).isEqualTo(0);
        assertThat(group(4, 30_000, 30, 2)).isEqualTo(1);
        assertThat(group(4, 80_000, 30, 1)).isEqualTo(1);
        assertThat(group(4, 80_000, 30, 3)).isEqualTo(0);
        assertThat(group(4, 75_000, 30, 1)).isEqualTo(0);       // bounds inclusive
        // 40-59: elevel 1-3 → A iff 50k..100k; else A iff 75k..125k.
        assertThat(group(4, 60_000, 45, 2)).isEqualTo(0);
        assertThat(group(4, 60_000, 45, 0)).isEqualTo(1);
        assertThat(group(4, 110_000, 45, 4)).isEqualTo(0);
        assertThat(group(4, 110_000, 45, 1)).isEqualTo(1);
        // 60 and over: elevel 2-4 → A iff 50k..100k; else A iff 25k..75k.
        assertThat(group(4, 90_000, 70, 3)).isEqualTo(0);
        assertThat(group(4, 90_000, 70, 1)).isEqualTo(1);
        assertThat(group(4, 30_000, 70, 0)).isEqualTo(0);
        assertThat(group(4, 30_000, 70, 4)).isEqualTo(1);
    }

    @Test
    void functionsWithCommissionLoanAndEquity() {
        // 6: total salary = salary + commission; under 40 A iff 50k..100k.
        assertThat(AgrawalStream.group(6, 40_000, 20_000, 30, 0, 0, 1, 0)).isEqualTo(0);
        assertThat(AgrawalStream.group(6, 40_000, 0, 30, 0, 0, 1, 0)).isEqualTo(1);
        // 7: 2/3 (salary + commission) - loan/5 - 20k > 0 → A.
        assertThat(AgrawalStream.group(7, 60_000, 0, 30, 0, 0, 1, 100_000)).isEqualTo(1);   // 40k - 20k - 20k = 0: B
        assertThat(AgrawalStream.group(7, 60_000, 0, 30, 0, 0, 1, 99_000)).isEqualTo(0);    // 200 > 0: A
        // 10: equity = hvalue (hyears - 20) / 10 from 20 years on.
        assertThat(AgrawalStream.group(10, 30_000, 0, 30, 4, 0, 1, 0)).isEqualTo(1);            // 20k - 20k - 10k < 0
        assertThat(AgrawalStream.group(10, 30_000, 0, 30, 4, 500_000, 30, 0)).isEqualTo(0);     // + 100k equity
    }

    @Test
    void attributesStayInTheirRangesAndLabelsFollowTheFunctionAcrossTheSwitch() {
        AgrawalStream stream = new AgrawalStream(1, 1, 4, 2_000, 0.0);
        for (int i = 0; i < 4_000; i++) {
            LabeledRecord r = stream.next();
            double salary = r.number("salary");
            double commission = r.number("commission");
            int age = (int) r.number("age");
            int elevel = (int) r.number("elevel");
            int zipcode = (int) r.number("zipcode");
            assertThat(salary).isBetween(20_000.0, 150_000.0);
            if (salary >= 75_000) {
                assertThat(commission).isZero();
            } else {
                assertThat(commission).isBetween(10_000.0, 75_000.0);
            }
            assertThat(age).isBetween(20, 80);
            assertThat(elevel).isBetween(0, 4);
            assertThat((int) r.number("car")).isBetween(1, 20);
            assertThat(zipcode).isBetween(0, 8);
            assertThat(r.number("hvalue")).isBetween((9 - zipcode) * 50_000.0, (9 - zipcode) * 150_000.0);
            assertThat((int) r.number("hyears")).isBetween(1, 30);
            assertThat(r.number("loan")).isBetween(0.0, 500_000.0);
            int function = i < 2_000 ? 1 : 4;
            assertThat(r.label()).isEqualTo(AgrawalStream.group(function, salary, commission, age, elevel,
                    r.number("hvalue"), (int) r.number("hyears"), r.number("loan")));
            assertThat(r.attributes().keySet()).containsExactlyElementsOf(AgrawalStream.ATTRIBUTES);
            assertThat(r.attributes().get("elevel")).isInstanceOf(Integer.class);
        }
    }

    @Test
    void perturbationMovesNumbersButNotTheLabelsOrCodes() {
        AgrawalStream clean = new AgrawalStream(9, 1, 1, -1, 0.0);
        AgrawalStream perturbed = new AgrawalStream(9, 1, 1, -1, 0.05);
        LabeledRecord a = clean.next();
        LabeledRecord b = perturbed.next();
        // The first record's draws are the same; perturbation only happens after them.
        assertThat(b.label()).isEqualTo(a.label());
        assertThat(b.attributes().get("elevel")).isEqualTo(a.attributes().get("elevel"));
        assertThat(b.number("salary")).isNotEqualTo(a.number("salary"))
                .isCloseTo(a.number("salary"), org.assertj.core.data.Offset.offset(130_000 * 0.05));
    }

    @Test
    void theSameSeedGivesTheSameStream() {
        AgrawalStream a = new AgrawalStream(4, 1, 4, 10, 0.05);
        AgrawalStream b = new AgrawalStream(4, 1, 4, 10, 0.05);
        for (int i = 0; i < 50; i++) {
            assertThat(b.next()).isEqualTo(a.next());
        }
    }
}
