// api.useCard: redeem a prepaid top-up card.
import { method, returns, string } from "../rpc/method-table.js";

export const cardMethods = [
  method(
    "api.useCard",
    [string("username"), string("cardNumber")],
    returns.string,
    { summary: "Redeems a prepaid top-up card onto the user's account: SUCCESS, UNKNOWN_USER, INVALID_CARD_NUMBER, CARD_IS_USED or CARD_HAS_EXPIRED." },
    ({ app, caller }, username, cardNumber) => app.cards.useCard(username, cardNumber, caller.application),
  ),
];
