//! The embedded price catalogue: parses strictly, every entry is sourced and dated, and every
//! size the model catalogue offers has a price on its provider in every region it is offered in.

use stagecraft_model::catalog::SizeFamily;
use stagecraft_model::{catalog, Provider};
use stagecraft_pricing::{embedded, PriceCatalog, Product};

#[test]
fn every_entry_is_sourced_dated_and_unique() {
    let prices = embedded();
    assert_eq!(
        prices.as_of,
        catalog().as_of,
        "prices and the model catalogue share a date"
    );
    for e in &prices.entries {
        assert!(
            e.source.starts_with("https://"),
            "{} needs a public source URL",
            e.id
        );
        assert_eq!(e.as_of, "2025-09-01", "{} must carry its date", e.id);
        assert!(
            !e.amount.is_sign_negative(),
            "{} has a negative price",
            e.id
        );
    }
    // Spot prices are estimates, always.
    for e in prices
        .entries
        .iter()
        .filter(|e| e.purchase == Some(stagecraft_model::PurchaseOption::Spot))
    {
        assert!(
            e.estimate,
            "{} is a spot price and must be marked an estimate",
            e.id
        );
    }
}

#[test]
fn every_model_size_is_priced_where_it_is_offered() {
    let prices = embedded();
    let model = catalog();
    for spec in &model.providers {
        for size in &spec.sizes {
            let regions: Vec<&str> = if size.regions.is_empty() {
                spec.regions.iter().map(|r| r.id.as_str()).collect()
            } else {
                size.regions.iter().map(String::as_str).collect()
            };
            for region in regions {
                let product = match (spec.provider, size.families.first()) {
                    (_, Some(SizeFamily::LoadBalancer)) => Product::LoadBalancer,
                    (_, Some(SizeFamily::Database)) => Product::ManagedDatabase,
                    (_, Some(SizeFamily::Cache)) => Product::Cache,
                    _ => Product::Server,
                };
                let priced = prices.entries.iter().any(|e| {
                    e.provider == spec.provider
                        && e.product == product
                        && (e.sku.as_deref() == Some(size.id.as_str())
                            || (spec.provider == Provider::Digitalocean
                                && product == Product::LoadBalancer))
                        && (e.regions.is_empty() || e.regions.iter().any(|r| r == region))
                });
                assert!(
                    priced,
                    "{:?} {} has no {:?} price in {region}",
                    spec.provider, size.id, product
                );
            }
        }
    }
}

#[test]
fn aws_servers_have_all_four_purchase_options_per_region() {
    let prices = embedded();
    let model = catalog();
    let aws = model.provider(Provider::Aws).unwrap();
    for size in aws
        .sizes
        .iter()
        .filter(|s| s.families.contains(&SizeFamily::Server))
    {
        for region in &aws.regions {
            for purchase in ["on_demand", "reserved1y", "reserved3y", "spot"] {
                let found = prices.entries.iter().any(|e| {
                    e.sku.as_deref() == Some(size.id.as_str())
                        && e.regions.contains(&region.id)
                        && e.purchase.map(|p| serde_json::to_value(p).unwrap())
                            == Some(serde_json::json!(purchase))
                });
                assert!(
                    found,
                    "{} in {} has no {purchase} price",
                    size.id, region.id
                );
            }
        }
    }
}

#[test]
fn unknown_fields_and_float_amounts_are_refused() {
    let good = r#"{"format": 1, "as_of": "2025-09-01", "origin": {"kind": "embedded"}, "entries": [
        {"id": "x", "provider": "hetzner", "product": "volume", "regions": [], "unit": "gb_month",
         "amount": "0.044", "currency": "EUR", "as_of": "2025-09-01", "source": "https://example.com"}]}"#;
    PriceCatalog::from_json(good).expect("a minimal catalogue parses");
    let unknown = good.replace("\"unit\"", "\"colour\": \"red\", \"unit\"");
    let error = PriceCatalog::from_json(&unknown).unwrap_err().to_string();
    assert!(error.contains("colour"), "{error}");
    // Amounts are decimal strings; a JSON number would have gone through a float.
    let float = good.replace("\"0.044\"", "0.044");
    let error = PriceCatalog::from_json(&float).unwrap_err().to_string();
    assert!(error.contains("entries[0].amount"), "{error}");
    let duplicate = good.replace("}]}", "}, {\"id\": \"x\", \"provider\": \"hetzner\", \"product\": \"volume\", \"regions\": [], \"unit\": \"gb_month\", \"amount\": \"1\", \"currency\": \"EUR\", \"as_of\": \"2025-09-01\", \"source\": \"https://example.com\"}]}");
    let error = PriceCatalog::from_json(&duplicate).unwrap_err().to_string();
    assert!(error.contains("twice"), "{error}");
}
