"""On merge: check the approved plan still holds, then apply it, journaled."""
