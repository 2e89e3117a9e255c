//! A small element tree for the AWS Query APIs' XML answers.
//!
//! EC2, ELBv2, RDS and STS answer in XML whose shapes differ by service (`vpcSet/item`,
//! `LoadBalancers/member`, `DBInstances/DBInstance`); a tree with local names (namespaces
//! dropped) and path look-ups reads them all without a schema per call.

use quick_xml::events::Event;
use quick_xml::Reader;

/// One XML element: its local name, its text (entities decoded, surrounding whitespace
/// trimmed) and its children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The element at a `/`-separated path of child names (`"instancesSet/item"`: the first
    /// match at each step).
    pub fn at(&self, path: &str) -> Option<&Element> {
        path.split('/')
            .filter(|s| !s.is_empty())
            .try_fold(self, |e, name| e.child(name))
    }

    /// The text at `path`, if the element exists and has text.
    pub fn text_at(&self, path: &str) -> Option<&str> {
        self.at(path)
            .map(|e| e.text.as_str())
            .filter(|t| !t.is_empty())
    }

    /// The children of the element at `path` (`"vpcSet"` gives its `item`s); empty when absent.
    pub fn items(&self, path: &str) -> &[Element] {
        self.at(path).map_or(&[], |e| e.children.as_slice())
    }

    /// The first descendant named `name`, depth first (error bodies nest their `Code` at
    /// different depths per service).
    pub fn find(&self, name: &str) -> Option<&Element> {
        self.children.iter().find_map(|c| {
            if c.name == name {
                Some(c)
            } else {
                c.find(name)
            }
        })
    }
}

/// Parses a whole document into its root element.
///
/// # Errors
/// A message when the text is not well-formed XML or has no root element.
pub fn parse(text: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        match reader.read_event() {
            Ok(Event::Start(start)) => stack.push(Element {
                name: local_name(start.local_name().as_ref()),
                ..Default::default()
            }),
            Ok(Event::Empty(empty)) => {
                let element = Element {
                    name: local_name(empty.local_name().as_ref()),
                    ..Default::default()
                };
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(element);
                }
            }
            Ok(Event::End(_)) => {
                let mut done = stack.pop().ok_or("unbalanced end tag")?;
                done.text = done.text.trim().to_owned();
                let parent = stack.last_mut().ok_or("unbalanced end tag")?;
                parent.children.push(done);
            }
            Ok(Event::Text(text)) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&text.xml10_content());
                }
            }
            Ok(Event::GeneralRef(reference)) => {
                let resolved = match reference.as_ref() {
                    "amp" => "&".to_owned(),
                    "lt" => "<".to_owned(),
                    "gt" => ">".to_owned(),
                    "quot" => "\"".to_owned(),
                    "apos" => "'".to_owned(),
                    other => match reference.resolve_char_ref() {
                        Ok(Some(ch)) => ch.to_string(),
                        _ => format!("&{other};"),
                    },
                };
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&resolved);
                }
            }
            Ok(Event::CData(data)) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&data.xml10_content());
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(format!(
                    "malformed XML at byte {}: {e}",
                    reader.buffer_position()
                ))
            }
        }
    }
    let document = stack.pop().filter(|_| stack.is_empty());
    document
        .and_then(|d| d.children.into_iter().next())
        .ok_or_else(|| "no root element".to_owned())
}

fn local_name(name: &str) -> String {
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ec2_sets_and_error_codes() {
        let doc = parse(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>r-1</requestId>
  <vpcSet>
    <item><vpcId>vpc-1</vpcId><tagSet><item><key>Name</key><value>a &amp; b</value></item></tagSet></item>
    <item><vpcId>vpc-2</vpcId><tagSet/></item>
  </vpcSet>
  <nextToken>t2</nextToken>
</DescribeVpcsResponse>"#,
        )
        .unwrap();
        assert_eq!(doc.name, "DescribeVpcsResponse");
        let vpcs = doc.items("vpcSet");
        assert_eq!(vpcs.len(), 2);
        assert_eq!(vpcs[0].text_at("vpcId"), Some("vpc-1"));
        assert_eq!(
            vpcs[0].text_at("tagSet/item/value"),
            Some("a & b"),
            "entities are decoded"
        );
        assert!(vpcs[1].items("tagSet").is_empty());
        assert_eq!(doc.text_at("nextToken"), Some("t2"));

        let error = parse(
            "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>",
        )
        .unwrap();
        assert_eq!(
            error.find("Code").map(|e| e.text.as_str()),
            Some("Throttling")
        );
    }

    #[test]
    fn refuses_what_is_not_xml() {
        assert!(parse("").is_err());
        assert!(parse("<a><b></a>").is_err());
    }
}
