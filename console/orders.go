package console

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/salesmania/salesmania"
)

// listPageSize is the rows of one page of the console's lists.
const listPageSize = 50

var orderStatuses = []string{salesmania.OrderBaru, salesmania.OrderDiproses, salesmania.OrderTerkirim, salesmania.OrderLunas, salesmania.OrderBatal}

type orderRow struct {
	Order    *salesmania.Order
	Customer string
	Team     string
}

type ordersData struct {
	From, To, Status string
	Team, Customer   int64
	CustomerName     string
	Statuses         []string
	Teams            []salesmania.Team
	Rows             []orderRow
	// Count and Sum are of every order the filters match (up to
	// maxSummedOrders: Complete false beyond).
	Count    int
	Sum      salesmania.Decimal
	Complete bool
	Next     string // the URL of the next page; "" on the last
	First    string // the URL of the first page, when not on it
}

// names looks up the names of customers and teams for a page, each once.
type names struct {
	c         *Console
	r         *http.Request
	dbID      int64
	teams     map[int64]string
	customers map[int64]string
}

func (c *Console) names(r *http.Request, dbID int64) (*names, []salesmania.Team, error) {
	teams, err := c.store.ListTeams(r.Context(), dbID)
	if err != nil {
		return nil, nil, err
	}
	n := &names{c: c, r: r, dbID: dbID, teams: map[int64]string{}, customers: map[int64]string{}}
	for _, t := range teams {
		n.teams[t.ID] = t.Name
	}
	return n, teams, nil
}

func (n *names) customer(id int64) (string, error) {
	if name, ok := n.customers[id]; ok {
		return name, nil
	}
	cu, err := n.c.store.FindCustomer(n.r.Context(), n.dbID, id)
	if salesmania.ErrorCode(err) == salesmania.ENOTFOUND {
		n.customers[id] = "#" + strconv.FormatInt(id, 10)
		return n.customers[id], nil
	} else if err != nil {
		return "", err
	}
	n.customers[id] = cu.Name
	return cu.Name, nil
}

// scopeTeams keeps the teams of the scope.
func scopeTeams(teams []salesmania.Team, p salesmania.Principal) []salesmania.Team {
	var out []salesmania.Team
	for _, t := range teams {
		if p.Teams().Includes(t.ID) {
			out = append(out, t)
		}
	}
	return out
}

// handleOrders lists orders with filters, a page at a time, with the sum
// of the totals of every order the filters match.
func (c *Console) handleOrders() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) error {
		q := newQuery(r, "date_from", "date_to", "status", "team", "customer", "cursor")
		d := &ordersData{From: q.date("date_from"), To: q.date("date_to"), Status: q.oneOf("status", orderStatuses...),
			Team: q.id("team"), Customer: q.id("customer"), Statuses: orderStatuses}
		after := q.cursor()
		if d.From != "" && d.To != "" && d.To < d.From {
			q.p.Add("date_to", "must not be before date_from")
		}
		if err := q.err(); err != nil {
			return err
		}
		scope, err := s.Principal.Teams().Narrow(d.Team)
		if err != nil {
			return err
		}
		n, teams, err := c.names(r, s.DBID)
		if err != nil {
			return err
		}
		d.Teams = scopeTeams(teams, s.Principal)
		if d.Customer != 0 {
			if d.CustomerName, err = n.customer(d.Customer); err != nil {
				return err
			}
		}
		f := salesmania.OrderFilter{Teams: scope, DateFrom: d.From, DateTo: d.To, Status: d.Status, CustomerID: d.Customer}
		f.ListParams = salesmania.ListParams{Limit: listPageSize, After: after}
		pg, err := c.store.ListOrders(r.Context(), s.DBID, f)
		if err != nil {
			return err
		}
		for i := range pg.Data {
			o := &pg.Data[i]
			name, err := n.customer(o.CustomerID)
			if err != nil {
				return err
			}
			d.Rows = append(d.Rows, orderRow{Order: o, Customer: name, Team: n.teams[o.TeamID]})
		}
		f.ListParams = salesmania.ListParams{}
		if d.Complete, err = c.eachOrderCapped(r, s.DBID, f, func(o *salesmania.Order) {
			d.Count++
			d.Sum = d.Sum.Add(o.Total)
		}); err != nil {
			return err
		}
		link := url.Values{}
		for k, v := range map[string]string{"date_from": d.From, "date_to": d.To, "status": d.Status} {
			if v != "" {
				link.Set(k, v)
			}
		}
		if d.Team != 0 {
			link.Set("team", strconv.FormatInt(d.Team, 10))
		}
		if d.Customer != 0 {
			link.Set("customer", strconv.FormatInt(d.Customer, 10))
		}
		if !after.IsZero() {
			d.First = "/console/orders?" + link.Encode()
		}
		if pg.NextCursor != nil {
			link.Set("cursor", *pg.NextCursor)
			d.Next = "/console/orders?" + link.Encode()
		}
		c.render(w, r, http.StatusOK, "orders", &page{Title: "Orders", Nav: "orders", Session: s, Data: d})
		return nil
	}
}

type orderLineView struct {
	salesmania.OrderLine
	Product string
}

type orderData struct {
	Order    *salesmania.Order
	Customer string
	Team     string
	Lines    []orderLineView
	// Moves are the statuses the order may go to now (CanMoveOrder).
	Moves []string
}

func (c *Console) orderData(r *http.Request, s *session, id int64) (*orderData, error) {
	o, err := c.store.FindOrder(r.Context(), s.DBID, s.Principal.Teams(), id)
	if err != nil {
		return nil, err
	}
	n, _, err := c.names(r, s.DBID)
	if err != nil {
		return nil, err
	}
	d := &orderData{Order: o, Team: n.teams[o.TeamID]}
	if d.Customer, err = n.customer(o.CustomerID); err != nil {
		return nil, err
	}
	products := map[int64]string{}
	for _, l := range o.OrderedProducts {
		name, ok := products[l.ProductID]
		if !ok {
			p, err := c.store.FindProduct(r.Context(), s.DBID, l.ProductID)
			switch {
			case err == nil:
				name = p.Name
			case salesmania.ErrorCode(err) == salesmania.ENOTFOUND:
				name = "#" + strconv.FormatInt(l.ProductID, 10)
			default:
				return nil, err
			}
			products[l.ProductID] = name
		}
		d.Lines = append(d.Lines, orderLineView{OrderLine: l, Product: name})
	}
	for _, st := range orderStatuses {
		if st != o.Status && salesmania.CanMoveOrder(o.Status, st) {
			d.Moves = append(d.Moves, st)
		}
	}
	return d, nil
}

func pathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, salesmania.Errorf(salesmania.ENOTFOUND, "%s not found.", what)
	}
	return id, nil
}

// handleOrder is an order's page: its lines and money as the API computes
// them, and a button for each status it may move to.
func (c *Console) handleOrder() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) error {
		id, err := pathID(r, "Order")
		if err != nil {
			return err
		}
		d, err := c.orderData(r, s, id)
		if err != nil {
			return err
		}
		notice := ""
		if r.URL.Query().Get("moved") != "" {
			notice = "The order is now " + d.Order.Status + "."
		}
		c.render(w, r, http.StatusOK, "order", &page{Title: "Order " + strconv.FormatInt(id, 10), Nav: "orders", Session: s, Data: d, Notice: notice})
		return nil
	}
}

// handleOrderStatus moves an order to another status, as PATCH /orders/{id}
// with status would (the domain's rules: 409 for a move they forbid).
func (c *Console) handleOrderStatus() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) error {
		id, err := pathID(r, "Order")
		if err != nil {
			return err
		}
		status := r.PostFormValue("status")
		if _, err := c.store.UpdateOrder(r.Context(), s.DBID, s.Principal.Teams(), id, &salesmania.OrderFields{Status: &status}); err != nil {
			return err
		}
		redirect(w, r, "/console/orders/"+strconv.FormatInt(id, 10)+"?moved=1")
		return nil
	}
}
