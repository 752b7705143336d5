"""Validation and application of listing patches (``/attributes/fulfillment_availability``), shared by
patchListingsItem and the JSON_LISTINGS_FEED processor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fbm_desk.sandbox.model import Listing

PATCH_OPS = frozenset({"add", "replace", "merge", "delete"})
QUANTITY_PATH = "/attributes/fulfillment_availability"
# Channel codes: DEFAULT (the seller) and Amazon's regional FBA networks.
CHANNEL_CODES = frozenset({"DEFAULT", "AMAZON_NA", "AMAZON_EU", "AMAZON_FE", "AMAZON_JP", "AMAZON_IN"})
# The generic type Amazon takes for offer-only patches (amzn/selling-partner-api-docs#2068); any other type
# must be the listing's own.
GENERIC_PRODUCT_TYPE = "PRODUCT"


@dataclass(frozen=True)
class PatchIssue:
    code: str
    message: str
    attribute: str = "fulfillment_availability"

    def as_listing_issue(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "severity": "ERROR",
            "attributeNames": [self.attribute] if self.attribute else [],
            "categories": ["INVALID_ATTRIBUTE"] if self.attribute else [],
        }


def structural_problem(patches: Any) -> str | None:
    """A message when ``patches`` cannot even be parsed as PatchOperations (Amazon answers 400 then)."""
    if not isinstance(patches, list) or not patches:
        return "Request has missing or invalid parameters and cannot be parsed."
    for patch in patches:
        if (
            not isinstance(patch, dict)
            or patch.get("op") not in PATCH_OPS
            or not isinstance(patch.get("path"), str)
        ):
            return "Request has missing or invalid parameters and cannot be parsed."
    return None


def check_patches(patches: list[dict[str, Any]]) -> tuple[list[PatchIssue], int | None]:
    """Semantic checks. Returns (issues, the DEFAULT-channel quantity to apply or None)."""
    issues: list[PatchIssue] = []
    quantity: int | None = None
    for index, patch in enumerate(patches):
        path = patch["path"]
        if path != QUANTITY_PATH:
            name = path.rsplit("/", 1)[-1] or path
            issues.append(
                PatchIssue("4000001", f"The attributes are invalid: '{name}' is not supported.", name)
            )
            continue
        if patch["op"] == "delete":
            continue
        value = patch.get("value")
        if not isinstance(value, list) or not value:
            issues.append(PatchIssue("4000001", f"Value is missing for patch at index of {index}."))
            continue
        for entry in value:
            code = entry.get("fulfillment_channel_code") if isinstance(entry, dict) else None
            if isinstance(code, str) and code.strip() and code not in CHANNEL_CODES:
                issues.append(
                    PatchIssue(
                        "4000001",
                        f"The value '{code}' for 'fulfillment_channel_code' of the attribute "
                        "'fulfillment_availability' is not valid.",
                    )
                )
                continue
            if not isinstance(code, str) or not code.strip():
                issues.append(
                    PatchIssue(
                        "99022",
                        "The field 'fulfillment_channel_code' for the attribute 'fulfillment_availability' "
                        "does not "
                        "have enough values. The required minimum is '1' value(s).",
                    )
                )
                continue
            qty = entry.get("quantity")
            if qty is not None and (not isinstance(qty, int) or isinstance(qty, bool) or qty < 0):
                issues.append(
                    PatchIssue("4000001", "The value for 'quantity' must be a non-negative integer.")
                )
                continue
            if code == "DEFAULT" and qty is not None:
                quantity = qty
    return issues, quantity


def unknown_sku_issue(sku: str) -> PatchIssue:
    return PatchIssue("NOT_FOUND", f"SKU '{sku}' does not exist for this seller and marketplace.", "")


def product_type_issue(listing: Listing, product_type: str) -> PatchIssue | None:
    """A patch must name the listing's product type (or the generic one), as Amazon validates the attributes
    against that type's schema."""
    if product_type in (GENERIC_PRODUCT_TYPE, listing.product_type):
        return None
    return PatchIssue(
        "4000003",
        f"The product type '{product_type}' is not the product type '{listing.product_type}' of this listing.",
        "",
    )


def apply_quantity(listing: Listing, quantity: int | None) -> None:
    """A merchant (DEFAULT) quantity. Sent to an FBA listing it does what Amazon does: the offer becomes
    merchant-fulfilled (the fulfillment is converted), which is what the app must never cause."""
    if quantity is None:
        return
    if listing.is_fba:
        listing.fulfillment_channel = "DEFAULT"
    listing.quantity = quantity
