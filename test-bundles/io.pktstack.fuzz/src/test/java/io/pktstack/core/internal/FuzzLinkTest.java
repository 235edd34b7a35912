package io.pktstack.core.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pktstack.api.stack.Impairment;
import io.pktstack.api.stack.InterfaceAddress;
import org.junit.jupiter.api.Test;

/**
 * The fuzz link's check of what the stack sends, and its one exception:
 * frames an impairment corrupts on purpose (shell-args found the check
 * failing on them, 2026-12-02).
 */
class FuzzLinkTest {

    /** Every frame corrupted (one bit behind the Ethernet header): an IPv6 address's announcements go out broken. */
    private static void corruptEverythingAndAddAnAddress(FuzzStacks.Built built, boolean noted) {
        built.stack().setImpairment("vp1", new Impairment(0, 0, 0, 0, 100));
        if (noted) {
            built.noteImpairments();
        }
        built.stack().setUp("vp1", true);
        for (int i = 1; i < 40; i++) { // one bit of a frame: some land in the payload, most in the IPv6 header
            built.stack().addAddress("vp1", InterfaceAddress.parse("fd00::" + Integer.toHexString(i) + "/64"));
        }
    }

    @Test
    void malformedPacketsAreFoundOut() {
        try (FuzzStacks.Built built = FuzzStacks.twoLinksAndABridge()) {
            AssertionError e = assertThrows(AssertionError.class, () -> corruptEverythingAndAddAnAddress(built, false));
            assertTrue(e.getMessage().contains("malformed"), e.getMessage());
        }
    }

    @Test
    void butNotOnceAnImpairmentCorruptsOnPurpose() {
        try (FuzzStacks.Built built = FuzzStacks.twoLinksAndABridge()) {
            assertDoesNotThrow(() -> corruptEverythingAndAddAnAddress(built, true));
            assertTrue(built.corruption().get());
        }
    }
}
